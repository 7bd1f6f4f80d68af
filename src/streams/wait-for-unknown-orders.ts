import { map, mergeMap, of, timer, type Observable, type SchedulerLike } from 'rxjs';
import { backoffDelay, type BackoffPolicy } from '../operators/backoff.js';
import type { Decoded, StoreVerdict } from './store-verdict.js';

/** A result may arrive before its order is created: how long to wait for the order before dead-lettering it. */
export interface UnknownOrderPolicy {
  /** Further attempts after the first; 0 dead-letters at once. */
  readonly retries: number;
  readonly backoff: BackoffPolicy;
}

export interface WaitForUnknownOrdersDeps {
  /** The apply stage. */
  readonly apply: (items: readonly Decoded[]) => Observable<readonly StoreVerdict[]>;
  readonly unknownOrder: UnknownOrderPolicy;
  readonly random: () => number;
  readonly scheduler?: SchedulerLike | undefined;
}

/**
 * The unknown-order wait: results whose order does not exist yet are applied again after a backoff, in
 * their batch order, until the order exists or the retries are spent; then they are to be dead-lettered as
 * `unknown-order`. Emits the batch's verdicts once, in batch order.
 */
export const waitForUnknownOrders = (
  items: readonly Decoded[],
  deps: WaitForUnknownOrdersDeps,
  attempt = 1,
): Observable<readonly StoreVerdict[]> =>
  deps.apply(items).pipe(
    mergeMap((verdicts) => {
      const unknown = verdicts.filter((s) => s._tag === 'Applied' && s.outcome._tag === 'UnknownOrder');
      if (unknown.length === 0) return of(verdicts);
      if (attempt > deps.unknownOrder.retries) {
        return of(
          verdicts.map((s): StoreVerdict =>
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
      const delay = backoffDelay(deps.unknownOrder.backoff, attempt, deps.random);
      const retried = unknown.map((s) => s.item);
      return timer(delay, deps.scheduler).pipe(
        mergeMap(() => waitForUnknownOrders(retried, deps, attempt + 1)),
        map((again) => {
          const byOffset = new Map(again.map((s) => [s.item.message.offset, s]));
          return verdicts.map((s) => byOffset.get(s.item.message.offset) ?? s);
        }),
      );
    }),
  );
