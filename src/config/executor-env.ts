import * as t from 'io-ts';
import { intInRange, logLevel, nonEmptyTrimmed } from './env-codecs.js';
import { connectionEnv } from './connection-env.js';
import { envVar } from './env-spec.js';

/** Everything the executor (PaymentOrderExecutor with its outbox relay) reads from its environment. */
export const executorEnv = {
  ...connectionEnv,
  PSP_TIMEOUT_MS: envVar({
    codec: intInRange(10, 120_000),
    fallback: '5000',
    description: 'longest wait for a PSP answer; past it the result is TIMEOUT',
  }),
  EXECUTOR_CONCURRENCY: envVar({
    codec: intInRange(1, 10_000),
    fallback: '64',
    description: 'PSP calls in flight at once',
  }),
  OUTBOX_PAGE_SIZE: envVar({
    codec: intInRange(1, 10_000),
    fallback: '500',
    description: 'outbox entries the relay publishes per Kafka send',
  }),
  OUTBOX_LEASE_MS: envVar({
    codec: intInRange(500, 600_000),
    fallback: '10000',
    description: "how long a relay holds outbox entries it claimed; a dead relay's entries are free after it",
  }),
  OUTBOX_POLL_MS: envVar({
    codec: intInRange(10, 60_000),
    fallback: '200',
    description: 'how often the relay looks for pending entries when nothing woke it',
  }),
  PSP_COMMAND_TOPIC: envVar({
    codec: nonEmptyTrimmed,
    fallback: 'payment-order-commands',
    description: 'topic of commands for the executor',
  }),
  PSP_COMMAND_DLQ_TOPIC: envVar({
    codec: nonEmptyTrimmed,
    fallback: 'payment-order-commands.dlq',
    description: 'dead-letter topic for commands that cannot be read',
  }),
  EXECUTOR_GROUP: envVar({
    codec: nonEmptyTrimmed,
    fallback: 'payment-order-executor',
    description: 'consumer group of the executors',
  }),
  KAFKA_SESSION_TIMEOUT_MS: envVar({
    codec: intInRange(6_000, 300_000),
    // The broker's default group.min.session.timeout.ms: a SIGKILLed member's partitions move on after
    // about this long (heartbeats go every tenth of it), so a takeover takes under 10 s.
    fallback: '6000',
    description:
      'how long the group waits for a silent executor before giving its partitions to others (heartbeat: a tenth of it)',
  }),
  SHUTDOWN_TIMEOUT_MS: envVar({
    codec: intInRange(1_000, 600_000),
    fallback: '15000',
    description:
      'longest drain on SIGTERM/SIGINT; unfinished commands stay uncommitted, unsent outbox entries pending, and the executor exits',
  }),
  PSP_SIM_PROFILE: envVar({
    codec: t.keyof({ default: null, flaky: null }),
    fallback: 'default',
    description:
      'simulated PSP behaviour: default (~5% retryable, ~6% check later) or flaky (~30% retryable, ~10% check later)',
  }),
  PSP_SIM_SEED: envVar({
    codec: intInRange(0, 2 ** 31 - 1),
    fallback: '42',
    description: 'seed of the simulated PSPs',
  }),
  PSP_SIM_LATENCY_MS: envVar({
    codec: intInRange(0, 60_000),
    fallback: '20',
    description: "upper bound of the simulated PSPs' latency",
  }),
  EXECUTOR_METRICS_PORT: envVar({
    codec: intInRange(0, 65_535),
    fallback: '9465',
    description: "port of the executor's GET /metrics, /healthz and /readyz (0: any free port)",
  }),
  LOG_LEVEL: envVar({ codec: logLevel, fallback: 'info', description: 'pino log level' }),
};
