import type { BackoffPolicy } from '../operators/backoff.js';

// The fixed backoffs of every process, named once: the policies that use them are injected
// (`worker-policies.ts`, `executor-policies.ts`), and `orders create` and the demo's intake use them too.

/** A transient store or Kafka error inside the pipelines: retried until it is not transient any more. */
export const transientBackoff: BackoffPolicy = { baseMs: 100, capMs: 10_000 };

/** A failed outbox read, publish or `markSent` of a relay. */
export const outboxRelayBackoff: BackoffPolicy = { baseMs: 100, capMs: 5_000 };
