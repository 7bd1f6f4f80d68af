import type * as E from 'fp-ts/lib/Either.js';
import { from, mergeMap, throwError, type Observable, type OperatorFunction } from 'rxjs';
import { drainInBatches } from '../operators/drain-in-batches.js';
import { retryTransient, type RetryDeps } from '../operators/retry-transient.js';
import type { PendingRecord } from './outbox-entry.js';

export interface PublishError {
  readonly retryable: boolean;
  readonly message: string;
}

/** Sends records to Kafka and resolves once Kafka acknowledged all of them (acks = all). */
export type Publish = (records: readonly PendingRecord[]) => Observable<E.Either<PublishError, void>>;

/**
 * The Kafka sink as an operator: one send in flight, whatever queued meanwhile goes in the next send (up
 * to `maxBatch`), transient errors retried with backoff. Emits each record once acknowledged; completes
 * only after everything it received was acknowledged; errors on a final publish error.
 */
export const publishAcknowledged =
  (
    publish: Publish,
    opts: { readonly maxBatch: number; readonly retry: RetryDeps },
  ): OperatorFunction<PendingRecord, PendingRecord> =>
  (records$) =>
    records$.pipe(
      drainInBatches(
        (batch) =>
          retryTransient(() => publish(batch), opts.retry).pipe(
            mergeMap((result): Observable<PendingRecord> => {
              return result._tag === 'Left'
                ? throwError(() => new Error(`publish failed for good: ${result.left.message}`))
                : from(batch);
            }),
          ),
        opts.maxBatch,
      ),
    );
