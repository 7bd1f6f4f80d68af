import * as E from 'fp-ts/lib/Either.js';
import { concat, concatMap, defer, from, map, mergeMap, Observable, of, throwError, timer, toArray } from 'rxjs';
import {
  decodeFailureReason,
  describeDecodeFailure,
  type DecodeFailure,
  type PspResultUpdateEvent,
} from '../codecs/index.js';
import type { Outcome, PspResult, StoreError } from '../state/index.js';
import { backoffDelay, type BackoffPolicy } from '../operators/backoff.js';
import type { ConsumedMessage, DeadLetter, Processed } from './consumed-message.js';
import { retryTransient, type Retryable, type RetryDeps } from '../operators/retry-transient.js';

export interface ApplyBatchDeps {
  readonly decode: (message: ConsumedMessage) => E.Either<DecodeFailure, PspResultUpdateEvent>;
  readonly traceIdOf: (message: ConsumedMessage) => string | undefined;
  /** `ProcessPaymentService.processPspResults`, as an Observable. */
  readonly process: (results: readonly PspResult[]) => Observable<E.Either<StoreError, readonly Outcome[]>>;
  readonly deadLetter: (letters: readonly DeadLetter[]) => Observable<E.Either<Retryable & { message: string }, void>>;
  readonly retry: RetryDeps;
  /** A result may arrive before its order is created: wait this many times before dead-lettering it. */
  readonly unknownOrderRetries: number;
  readonly unknownOrderBackoff: BackoffPolicy;
}

interface Decoded {
  readonly message: ConsumedMessage;
  readonly event: PspResultUpdateEvent;
}

type Settled =
  | { readonly _tag: 'Applied'; readonly item: Decoded; readonly outcome: Outcome }
  | { readonly _tag: 'DeadLettered'; readonly item: Decoded; readonly reason: string; readonly description: string };

const resultOf = (d: Decoded, deps: ApplyBatchDeps): PspResult => ({
  event: d.event,
  source: {
    topic: d.message.topic,
    partition: d.message.partition,
    offset: d.message.offset,
    traceId: deps.traceIdOf(d.message),
  },
});

/** Store the results; a final store error is isolated to the one result that causes it. */
const store = (items: readonly Decoded[], deps: ApplyBatchDeps): Observable<readonly Settled[]> =>
  retryTransient(() => deps.process(items.map((d) => resultOf(d, deps))), deps.retry).pipe(
    mergeMap((result): Observable<readonly Settled[]> => {
      if (E.isRight(result)) {
        return of(result.right.map((outcome, i): Settled => ({ _tag: 'Applied', item: items[i] as Decoded, outcome })));
      }
      const [only] = items;
      if (items.length === 1 && only !== undefined) {
        return of([
          { _tag: 'DeadLettered', item: only, reason: result.left.code, description: result.left.message },
        ] as const);
      }
      return from(items).pipe(
        concatMap((d) => store([d], deps)),
        toArray(),
        map((parts) => parts.flat()),
      );
    }),
  );

/** Results for orders not created yet are tried again after a backoff, in order, then dead-lettered. */
const settle = (items: readonly Decoded[], deps: ApplyBatchDeps, attempt = 1): Observable<readonly Settled[]> =>
  store(items, deps).pipe(
    mergeMap((settled) => {
      const unknown = settled.filter((s) => s._tag === 'Applied' && s.outcome._tag === 'UnknownOrder');
      if (unknown.length === 0) return of(settled);
      if (attempt > deps.unknownOrderRetries) {
        return of(
          settled.map((s): Settled =>
            s._tag === 'Applied' && s.outcome._tag === 'UnknownOrder'
              ? {
                  _tag: 'DeadLettered',
                  item: s.item,
                  reason: 'unknown-order',
                  description: `no payment order ${s.item.event.paymentOrderId} after ${attempt} attempts`,
                }
              : s,
          ),
        );
      }
      const delay = backoffDelay(deps.unknownOrderBackoff, attempt, deps.retry.random);
      const retried = unknown.map((s) => s.item);
      return timer(delay, deps.retry.scheduler).pipe(
        mergeMap(() => settle(retried, deps, attempt + 1)),
        map((again) => {
          const byOffset = new Map(again.map((s) => [s.item.message.offset, s]));
          return settled.map((s) => byOffset.get(s.item.message.offset) ?? s);
        }),
      );
    }),
  );

/**
 * One lane batch, start to finish: decode, apply in the store, dead-letter what cannot be applied.
 * Emits one `Processed` per message, all at the end, once everything is durable.
 */
export const applyBatch = (batch: readonly ConsumedMessage[], deps: ApplyBatchDeps): Observable<Processed> =>
  defer(() => {
    const decoded: Decoded[] = [];
    const invalid: DeadLetter[] = [];
    for (const message of batch) {
      const result = deps.decode(message);
      if (E.isRight(result)) decoded.push({ message, event: result.right });
      else
        invalid.push({
          message,
          reason: decodeFailureReason(result.left),
          description: describeDecodeFailure(result.left),
        });
    }
    const applied$ = decoded.length === 0 ? of<readonly Settled[]>([]) : settle(decoded, deps);
    return applied$.pipe(
      mergeMap((settled) => {
        const letters: { letter: DeadLetter; event?: PspResultUpdateEvent }[] = invalid.map((letter) => ({ letter }));
        const processed: Processed[] = [];
        for (const s of settled) {
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
        return retryTransient(() => deps.deadLetter(letters.map((l) => l.letter)), deps.retry).pipe(
          mergeMap((sent) => {
            if (E.isLeft(sent)) {
              // The dead-letter topic refused for good: stop rather than commit past a message we could not keep.
              return throwError(() => new Error(`dead-letter publish failed: ${sent.left.message}`));
            }
            const lettered = letters.map((l): Processed =>
              l.event === undefined
                ? { _tag: 'DeadLettered', letter: l.letter }
                : { _tag: 'DeadLettered', letter: l.letter, event: l.event },
            );
            return concat(from(processed), from(lettered));
          }),
        );
      }),
    );
  });
