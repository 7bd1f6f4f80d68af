import type { ConsumerPipelineConfig } from './psp-result-update-consumer.js';
import type { WorkerPolicies } from './worker-policies.js';

/** The lanes and commits of a partitioned consumer (`consumePartitions`), as its policies name them. */
export const consumerConfigOf = (policies: Pick<WorkerPolicies, 'lanes' | 'commit'>): ConsumerPipelineConfig => ({
  maxInFlightPerPartition: policies.lanes.maxInFlightPerPartition,
  maxBatchSize: policies.lanes.maxBatchSize,
  commitIntervalMs: policies.commit.intervalMs,
  commitEvery: policies.commit.every,
});
