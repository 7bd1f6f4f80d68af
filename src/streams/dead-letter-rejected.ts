import type * as E from 'fp-ts/lib/Either.js';
import { concat, from, map, mergeMap, type Observable } from 'rxjs';
import type { PspResultUpdateEvent } from '../codecs/index.js';
import { rightOrThrow } from '../operators/effects.js';
import { retryTransient, type Retryable, type RetryDeps } from '../operators/retry-transient.js';
import type { DeadLetter, Processed } from './consumed-message.js';
import type { StoreVerdict } from './store-verdict.js';

export type DeadLetterPublish = (
  letters: readonly DeadLetter[],
) => Observable<E.Either<Retryable & { message: string }, void>>;

export interface DeadLetterRejectedDeps {
  readonly deadLetter: DeadLetterPublish;
  /** Transient refusals of the dead-letter topic are retried with this backoff for as long as it takes. */
  readonly retry: RetryDeps;
}

/**
 * The letters in one publish, transient refusals retried for as long as it takes; emits once they are kept.
 * A dead-letter topic that refuses for good errors: nothing past a message we could not keep may be committed.
 */
export const deadLetterAll = (letters: readonly DeadLetter[], deps: DeadLetterRejectedDeps): Observable<void> =>
  retryTransient(() => deps.deadLetter(letters), deps.retry).pipe(
    rightOrThrow((left) => `dead-letter publish failed: ${left.message}`),
    map(() => undefined),
  );

/**
 * The dead-letter stage: what did not decode and what the store rejected go to the dead-letter topic in one
 * publish, then every message of the batch is emitted as processed (applied first, then dead-lettered).
 * A dead-letter topic that refuses for good errors the batch: nothing past a message we could not keep
 * may be committed.
 */
export const deadLetterRejected = (
  invalid: readonly DeadLetter[],
  verdicts: readonly StoreVerdict[],
  deps: DeadLetterRejectedDeps,
): Observable<Processed> => {
  const letters: { letter: DeadLetter; event?: PspResultUpdateEvent }[] = invalid.map((letter) => ({ letter }));
  const processed: Processed[] = [];
  for (const s of verdicts) {
    if (s._tag === 'Applied') {
      processed.push({ _tag: 'Applied', message: s.item.message, event: s.item.event, outcome: s.outcome });
    } else {
      letters.push({
        letter: { message: s.item.message, reason: s.reason, description: s.description },
        event: s.item.event,
      });
    }
  }
  if (letters.length === 0) return from(processed);
  return deadLetterAll(
    letters.map((l) => l.letter),
    deps,
  ).pipe(
    mergeMap(() => {
      const lettered = letters.map((l): Processed =>
        l.event === undefined
          ? { _tag: 'DeadLettered', letter: l.letter }
          : { _tag: 'DeadLettered', letter: l.letter, event: l.event },
      );
      return concat(from(processed), from(lettered));
    }),
  );
};
