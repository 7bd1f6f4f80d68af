import type { BackoffPolicy } from '../operators/backoff.js';
import type { RetryPolicy } from '../state/index.js';
import type { RetryDispatchConfig } from '../state/retry-dispatch-service.js';
import type { UnknownOrderPolicy } from './wait-for-unknown-orders.js';

/**
 * Every policy of the worker in one typed object: built once from the decoded environment
 * (src/cli/worker-policies.ts) and injected; no stage holds a policy of its own.
 */
export interface WorkerPolicies {
  /** Store writes and dead-letter publishes failing transiently: retried with this backoff for as long as it takes. */
  readonly transientRetry: BackoffPolicy;
  /** A result may arrive before its order is created: how long to wait for the order before dead-lettering it. */
  readonly unknownOrder: UnknownOrderPolicy;
  readonly lanes: {
    /** Messages of one partition taken as one micro-batch, at most. */
    readonly maxBatchSize: number;
    /** Unfinished messages a partition may hold before it is paused (resumed at half). */
    readonly maxInFlightPerPartition: number;
  };
  readonly commit: {
    /** Done offsets are committed at this interval… */
    readonly intervalMs: number;
    /** …or as soon as this many messages of a partition are done since the last commit. */
    readonly every: number;
  };
  /** The PSP retries and status checks `ProcessPaymentService` schedules for an order. */
  readonly payment: RetryPolicy;
  /** The retry dispatcher beside the worker: how often it looks, how long its claims last, its relay's retries. */
  readonly dispatch: Pick<RetryDispatchConfig, 'intervalMs' | 'leaseMs' | 'relayRetry'>;
  /** The jitter of every backoff above, in [0, 1). */
  readonly random: () => number;
}
