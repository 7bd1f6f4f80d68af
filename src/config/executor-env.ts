import { intInRange, logLevel } from './env-codecs.js';
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
  OUTBOX_POLL_MS: envVar({
    codec: intInRange(10, 60_000),
    fallback: '200',
    description: 'how often the relay looks for pending entries when nothing woke it',
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
  METRICS_PORT: envVar({
    codec: intInRange(0, 65_535),
    fallback: '9465',
    description: "port of the executor's GET /metrics, /healthz and /readyz (0: any free port)",
  }),
  LOG_LEVEL: envVar({ codec: logLevel, fallback: 'info', description: 'pino log level' }),
};
