import type { ConfigOf } from '../config/env-spec.js';
import type { executorEnv } from '../config/executor-env.js';
import type { ExecutorServicePolicies } from '../publisher/executor-service.js';
import type { CommandConsumerPolicies } from '../streams/command-consumer.js';
import { outboxRelayBackoff, transientBackoff } from './backoffs.js';

/** The executor's environment, decoded. */
export type ExecutorConfig = ConfigOf<typeof executorEnv>;

/** Every policy of the executor: its consumer's (src/streams/) and its service's (src/publisher/). */
export type ExecutorPolicies = CommandConsumerPolicies & ExecutorServicePolicies;

/** Every policy of the executor, made once at start-up; the fixed ones are named here and only here. */
export const executorPolicies = (): ExecutorPolicies => ({
  transientRetry: transientBackoff,
  // A lane takes all it holds at once: under a burst its commands share a few outbox inserts (group commit)
  // instead of queueing one batch of 100 behind the previous batch's insert.
  lanes: { maxBatchSize: 500, maxInFlightPerPartition: 500 },
  commit: { intervalMs: 500, every: 200 },
  outboxRetry: outboxRelayBackoff,
  // ~1 KiB a result.
  outboxRecordBatch: 1_000,
  random: Math.random,
});
