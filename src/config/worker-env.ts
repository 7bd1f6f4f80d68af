import { bool, intInRange, logLevel, nonEmptyTrimmed } from './env-codecs.js';
import { connectionEnv } from './connection-env.js';
import { envVar } from './env-spec.js';

/** Everything the worker (PspResultUpdateConsumer) reads from its environment. */
export const workerEnv = {
  ...connectionEnv,
  CONSUMER_GROUP: envVar({
    codec: nonEmptyTrimmed,
    fallback: 'psp-result-update-consumer',
    description: 'consumer group of the workers',
  }),
  KAFKA_SESSION_TIMEOUT_MS: envVar({
    codec: intInRange(6_000, 300_000),
    // The broker's default group.min.session.timeout.ms: a SIGKILLed member's partitions move on after
    // about this long (heartbeats go every tenth of it), so a takeover takes under 10 s.
    fallback: '6000',
    description:
      'how long the group waits for a silent worker before giving its partitions to others (heartbeat: a tenth of it)',
  }),
  MAX_IN_FLIGHT_PER_PARTITION: envVar({
    codec: intInRange(1, 100_000),
    fallback: '1000',
    description: 'unfinished messages a partition may hold before it is paused',
  }),
  MAX_BATCH_SIZE: envVar({
    codec: intInRange(1, 10_000),
    fallback: '500',
    description: 'most events written in one store round trip per partition',
  }),
  COMMIT_INTERVAL_MS: envVar({
    codec: intInRange(10, 60_000),
    // a fifth of a second: finished work is committed soon (little to redeliver, lag that reads true), at a
    // handful of commit requests a second
    fallback: '200',
    description: 'longest wait before finished offsets are committed',
  }),
  COMMIT_EVERY: envVar({
    codec: intInRange(1, 1_000_000),
    fallback: '1000',
    description: 'finished messages per partition that trigger a commit before the interval',
  }),
  DLQ_EXACTLY_ONCE: envVar({
    codec: bool,
    fallback: 'true',
    description:
      'dead letters go out in one Kafka transaction with the offsets that cover them (each bad record once in the DLQ); false for brokers without transactions',
  }),
  MAX_ATTEMPTS: envVar({
    codec: intInRange(1, 100),
    fallback: '5',
    description: 'retryable PSP results after which an order fails with "retries exhausted"',
  }),
  UNKNOWN_ORDER_RETRIES: envVar({
    codec: intInRange(0, 100),
    fallback: '5',
    description: 'retries (with backoff) of a result for an order not yet created, before it is dead-lettered',
  }),
  SHUTDOWN_TIMEOUT_MS: envVar({
    codec: intInRange(1_000, 600_000),
    fallback: '15000',
    description:
      'longest drain on SIGTERM/SIGINT; what is unfinished then stays uncommitted (redelivered) and the worker exits',
  }),
  METRICS_PORT: envVar({
    codec: intInRange(0, 65_535),
    fallback: '9464',
    description: 'port of GET /metrics, /healthz and /readyz (0: any free port)',
  }),
  PSP_COMMAND_TOPIC: envVar({
    codec: nonEmptyTrimmed,
    fallback: 'payment-order-commands',
    description: 'topic of commands for the executor (first charges, retries, status checks)',
  }),
  RETRY_BASE_MS: envVar({
    codec: intInRange(1, 3_600_000),
    fallback: '2000',
    description: 'base of the exponential backoff (full jitter) before a retryable payment is retried',
  }),
  RETRY_CAP_MS: envVar({
    codec: intInRange(1, 86_400_000),
    fallback: '60000',
    description: 'cap of that backoff',
  }),
  CHECK_DELAY_MS: envVar({
    codec: intInRange(1, 86_400_000),
    fallback: '1800000',
    description: 'wait before asking the PSP again about a pending, auth-required or capture-pending payment',
  }),
  DISPATCH_INTERVAL_MS: envVar({
    codec: intInRange(10, 600_000),
    fallback: '1000',
    description: 'how often the retry dispatcher looks for due commands',
  }),
  DISPATCH_LEASE_MS: envVar({
    codec: intInRange(100, 3_600_000),
    fallback: '30000',
    description: 'how long a dispatcher holds a claimed order before another may claim it again',
  }),
  LAG_REFRESH_MS: envVar({
    codec: intInRange(100, 600_000),
    fallback: '5000',
    description: 'how often kafka_consumergroup_lag is refreshed',
  }),
  LOG_LEVEL: envVar({ codec: logLevel, fallback: 'info', description: 'pino log level' }),
};
