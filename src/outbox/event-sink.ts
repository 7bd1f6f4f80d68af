import type * as E from 'fp-ts/lib/Either.js';
import { map, type Observable } from 'rxjs';
import { rightOrThrow } from '../operators/effects.js';
import { retryTransient, type RetryDeps } from '../operators/retry-transient.js';
import type { PendingRecord } from './outbox-entry.js';

export interface PublishError {
  readonly retryable: boolean;
  readonly message: string;
}

/** Sends records to Kafka and resolves once Kafka acknowledged all of them (acks = all). */
export type Publish = (records: readonly PendingRecord[]) => Observable<E.Either<PublishError, void>>;

/**
 * The Kafka sink: all the records in one send (the producer splits it by partition, in the order given),
 * transient errors retried with backoff. Emits once Kafka acknowledged every one of them; errors on a final
 * publish error.
 */
export const publishAll =
  (publish: Publish, retry: RetryDeps) =>
  (records: readonly PendingRecord[]): Observable<void> =>
    retryTransient(() => publish(records), retry).pipe(
      rightOrThrow((left) => `publish failed for good: ${left.message}`),
      map(() => undefined),
    );
