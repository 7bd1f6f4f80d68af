import type { ConfigOf } from '../config/env-spec.js';
import type { workerEnv } from '../config/worker-env.js';
import type { WorkerPolicies } from '../streams/worker-policies.js';
import { outboxRelayBackoff, transientBackoff } from './backoffs.js';

/** The worker's environment, decoded. */
export type WorkerConfig = ConfigOf<typeof workerEnv>;

/** Every policy of the worker, made once of its decoded environment; the fixed ones are named here and only here. */
export const workerPoliciesOf = (config: WorkerConfig): WorkerPolicies => ({
  transientRetry: transientBackoff,
  unknownOrder: { retries: config.UNKNOWN_ORDER_RETRIES, backoff: { baseMs: 200, capMs: 5_000 } },
  lanes: { maxBatchSize: config.MAX_BATCH_SIZE, maxInFlightPerPartition: config.MAX_IN_FLIGHT_PER_PARTITION },
  commit: { intervalMs: config.COMMIT_INTERVAL_MS, every: config.COMMIT_EVERY },
  payment: {
    maxAttempts: config.MAX_ATTEMPTS,
    schedule: {
      retryBackoff: { baseMs: config.RETRY_BASE_MS, capMs: config.RETRY_CAP_MS },
      checkDelayMs: config.CHECK_DELAY_MS,
      random: Math.random,
    },
  },
  dispatch: {
    intervalMs: config.DISPATCH_INTERVAL_MS,
    leaseMs: config.DISPATCH_LEASE_MS,
    relayRetry: outboxRelayBackoff,
  },
  random: Math.random,
});
