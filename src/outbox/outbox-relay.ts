import type * as TE from 'fp-ts/lib/TaskEither.js';
import {
  defer,
  EMPTY,
  exhaustMap,
  expand,
  map,
  merge,
  mergeMap,
  type Observable,
  share,
  take,
  takeUntil,
  tap,
  timer,
  type SchedulerLike,
} from 'rxjs';
import { fromTask, rightOrThrow } from '../operators/effects.js';
import { retryTransient, type RetryDeps } from '../operators/retry-transient.js';
import { publishAll, type Publish } from './event-sink.js';
import type { OutboxEntry } from './outbox-entry.js';
import type { OutboxError, OutboxStore } from './outbox-store.js';

export interface OutboxDrainDeps {
  readonly outbox: OutboxStore;
  readonly publish: Publish;
  readonly retry: RetryDeps;
  readonly now: () => Date;
  readonly pageSize: number;
}

export interface OutboxRelayDeps extends OutboxDrainDeps {
  readonly pollIntervalMs: number;
  /** Something was just recorded: look now rather than at the next poll. */
  readonly kick$: Observable<unknown>;
  /** Stop polling and start no further page; the page in progress is still published and marked sent. */
  readonly stop$: Observable<unknown>;
  readonly scheduler?: SchedulerLike | undefined;
}

/**
 * Publishes page after page until nothing is pending, or until `stopping()` says no further page may
 * start; emits how many entries each page sent. A page is claimed, published in one send, and marked sent
 * once Kafka acknowledged it; marking it sent overlaps with claiming and publishing the next page (its
 * entries stay claimed meanwhile), and the drain completes only once every page is marked sent.
 */
export const drainOutbox = (deps: OutboxDrainDeps, stopping: () => boolean = () => false): Observable<number> => {
  // An outbox call, transient errors retried; a final one ends the drain.
  const call = <A>(task: TE.TaskEither<OutboxError, A>): Observable<A> =>
    retryTransient(() => fromTask(task), deps.retry).pipe(rightOrThrow((left) => `outbox: ${left.message}`));
  const publish = publishAll(deps.publish, deps.retry);
  const nextPage = (): Observable<readonly OutboxEntry[]> =>
    call(deps.outbox.claim(deps.pageSize, deps.now())).pipe(
      mergeMap((page) => (page.length === 0 ? EMPTY : publish(page).pipe(map(() => page)))),
    );
  return nextPage().pipe(
    expand((page) => (page.length === deps.pageSize && !stopping() ? nextPage() : EMPTY)),
    mergeMap((page) =>
      call(
        deps.outbox.markSent(
          page.map((e) => e._id),
          deps.now(),
        ),
      ).pipe(map(() => page.length)),
    ),
  );
};

/**
 * Publishes pending outbox entries in the order they were recorded and marks them sent only after Kafka
 * acknowledged them. Killed in between, the entries stay pending and are published again: at least once,
 * and the consumer turns repeats into no-ops.
 */
export const outboxRelay = (deps: OutboxRelayDeps): Observable<number> =>
  defer(() => {
    // Set once stop$ fired: the drain in progress finishes its page and starts no other, so a stop waits
    // for one page at most, however many entries are pending (they stay pending for the next relay).
    let stopping = false;
    const stop$ = deps.stop$.pipe(
      take(1),
      tap(() => {
        stopping = true;
      }),
      share(),
    );
    return merge(deps.kick$, timer(0, deps.pollIntervalMs, deps.scheduler)).pipe(
      takeUntil(stop$),
      exhaustMap(() => drainOutbox(deps, () => stopping)),
    );
  });
