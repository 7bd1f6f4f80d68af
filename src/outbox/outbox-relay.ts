import * as E from 'fp-ts/lib/Either.js';
import {
  defer,
  EMPTY,
  exhaustMap,
  expand,
  from,
  map,
  merge,
  mergeMap,
  type Observable,
  of,
  reduce,
  share,
  take,
  takeUntil,
  tap,
  timer,
  throwError,
  type SchedulerLike,
} from 'rxjs';
import { retryTransient, type RetryDeps } from '../operators/retry-transient.js';
import { publishAcknowledged, type Publish } from './event-sink.js';
import type { OutboxEntry } from './outbox-entry.js';
import type { OutboxStore } from './outbox-store.js';

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

/** Claims a page, publishes it, marks it sent once Kafka acknowledged it. */
const pageSender = (deps: OutboxDrainDeps) => {
  const call = <A>(task: () => Promise<E.Either<{ retryable: boolean; message: string }, A>>): Observable<A> =>
    retryTransient(() => defer(task), deps.retry).pipe(
      mergeMap((r) => (E.isRight(r) ? of(r.right) : throwError(() => new Error(`outbox: ${r.left.message}`)))),
    );
  const sendPage = (page: readonly OutboxEntry[]): Observable<number> =>
    from(page).pipe(
      publishAcknowledged(deps.publish, { maxBatch: deps.pageSize, retry: deps.retry }),
      reduce((ids: string[], r) => [...ids, r._id], []),
      mergeMap((ids) => call(deps.outbox.markSent(ids, deps.now())).pipe(map(() => ids.length))),
    );
  return (): Observable<{ readonly sent: number; readonly full: boolean }> =>
    call(deps.outbox.claim(deps.pageSize, deps.now())).pipe(
      mergeMap((page) =>
        page.length === 0 ? EMPTY : sendPage(page).pipe(map((sent) => ({ sent, full: page.length === deps.pageSize }))),
      ),
    );
};

/**
 * Publishes page after page until nothing is pending, or until `stopping()` says no further page may
 * start; emits how many entries each page sent.
 */
export const drainOutbox = (deps: OutboxDrainDeps, stopping: () => boolean = () => false): Observable<number> => {
  const nextPage = pageSender(deps);
  return nextPage().pipe(
    expand(({ full }) => (full && !stopping() ? nextPage() : EMPTY)),
    map(({ sent }) => sent),
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
