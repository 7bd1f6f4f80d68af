import * as E from 'fp-ts/lib/Either.js';
import { concatMap, from, map, mergeMap, of, toArray, type Observable } from 'rxjs';
import type { Outcome, PspResult, StoreError } from '../state/index.js';
import { retryTransient, type RetryDeps } from '../operators/retry-transient.js';
import type { ConsumedMessage } from './consumed-message.js';
import type { Decoded, StoreVerdict } from './store-verdict.js';

export interface ApplyResultsDeps {
  readonly traceIdOf: (message: ConsumedMessage) => string | undefined;
  /** `ProcessPaymentService.processPspResults`, as an Observable. */
  readonly process: (results: readonly PspResult[]) => Observable<E.Either<StoreError, readonly Outcome[]>>;
  /** Transient store errors are retried with this backoff for as long as it takes. */
  readonly retry: RetryDeps;
}

const resultOf = (d: Decoded, deps: ApplyResultsDeps): PspResult => ({
  event: d.event,
  source: {
    topic: d.message.topic,
    partition: d.message.partition,
    offset: d.message.offset,
    traceId: deps.traceIdOf(d.message),
  },
});

/**
 * The apply stage: the decoded results in one store call, a transient error retried whole. A final store
 * error is isolated to the one result that causes it (the others are applied one by one); that result is
 * to be dead-lettered with the store's code.
 */
export const applyResults = (items: readonly Decoded[], deps: ApplyResultsDeps): Observable<readonly StoreVerdict[]> =>
  retryTransient(() => deps.process(items.map((d) => resultOf(d, deps))), deps.retry).pipe(
    mergeMap((result): Observable<readonly StoreVerdict[]> => {
      if (E.isRight(result)) {
        return of(
          result.right.map((outcome, i): StoreVerdict => ({ _tag: 'Applied', item: items[i] as Decoded, outcome })),
        );
      }
      const [only] = items;
      if (items.length === 1 && only !== undefined) {
        return of([
          { _tag: 'DeadLettered', item: only, reason: result.left.code, description: result.left.message },
        ] as const);
      }
      return from(items).pipe(
        concatMap((d) => applyResults([d], deps)),
        toArray(),
        map((parts) => parts.flat()),
      );
    }),
  );
