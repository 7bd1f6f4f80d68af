import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { Subject, lastValueFrom, NEVER, of, timer, map, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../src/outbox/outbox-entry.js';
import { drainOutbox, outboxRelay } from '../../src/outbox/outbox-relay.js';
import type { OutboxStore } from '../../src/outbox/outbox-store.js';

/** An in-memory outbox of `n` pending entries; `claim` hands out pages in order. */
const memoryOutbox = (n: number) => {
  const pending = Array.from({ length: n }, (_, i): OutboxEntry => ({
    _id: `e-${i}`,
    dedupKey: `d-${i}`,
    topic: 't',
    key: `k-${i}`,
    value: '{}',
    headers: {},
    status: 'pending',
    createdAt: new Date(i),
  }));
  const sent = new Set<string>();
  let claimed = 0;
  const store: OutboxStore = {
    record: () => TE.right(undefined),
    claim: (limit) =>
      TE.fromTask(() => {
        const page = pending.slice(claimed, claimed + limit);
        claimed += page.length;
        return Promise.resolve(page);
      }),
    markSent: (ids) =>
      TE.fromTask(() => {
        for (const id of ids) sent.add(id);
        return Promise.resolve();
      }),
    countPending: () => TE.right(pending.length - sent.size),
    recordedDedupKeys: () => TE.right(new Set()),
  };
  return { store, sent };
};

const retry = { backoff: { baseMs: 1, capMs: 1 }, random: () => 0.5 };

describe('the outbox relay (outboxRelay)', () => {
  it('after a stop, finishes the page in progress and starts no other, however many are pending', async () => {
    const { store, sent } = memoryOutbox(1_000);
    const stop$ = new Subject<void>();
    let sends = 0;
    const relay = lastValueFrom(
      outboxRelay({
        outbox: store,
        // Each send takes 20 ms; the stop comes during the first page.
        publish: () => {
          sends += 1;
          if (sends === 1)
            setTimeout(() => {
              stop$.next();
            }, 5);
          return timer(20).pipe(map(() => E.right(undefined)));
        },
        retry,
        now: () => new Date(),
        pageSize: 100,
        pollIntervalMs: 10,
        kick$: NEVER,
        stop$,
      }).pipe(toArray()),
    );
    expect(await relay).toEqual([100]);
    expect(sent.size).toBe(100);
  });

  it('without a stop, drains page after page until nothing is pending', async () => {
    const { store, sent } = memoryOutbox(250);
    const stop$ = new Subject<void>();
    const pages: number[] = [];
    const relay = lastValueFrom(
      outboxRelay({
        outbox: store,
        publish: () => of(E.right(undefined)),
        retry,
        now: () => new Date(),
        pageSize: 100,
        pollIntervalMs: 10,
        kick$: NEVER,
        stop$,
      }).pipe(toArray()),
    );
    while (sent.size < 250) await new Promise((resolve) => setTimeout(resolve, 5));
    stop$.next();
    pages.push(...(await relay));
    expect(pages).toEqual([100, 100, 50]);
  });

  it('publishes each page in one send', async () => {
    const { store } = memoryOutbox(250);
    const sends: number[] = [];
    const pages = await lastValueFrom(
      drainOutbox({
        outbox: store,
        publish: (records) => {
          sends.push(records.length);
          return of(E.right(undefined));
        },
        retry,
        now: () => new Date(),
        pageSize: 100,
      }).pipe(toArray()),
    );
    expect(sends).toEqual([100, 100, 50]);
    expect(pages).toEqual([100, 100, 50]);
  });
});

describe('draining the outbox (drainOutbox)', () => {
  it('publishes the next page while the previous one is being marked sent, and completes only once every page is marked sent', async () => {
    const { store, sent } = memoryOutbox(250);
    const events: string[] = [];
    // each markSent waits until the test lets it through
    const marks: (() => void)[] = [];
    const slowMarks: OutboxStore = {
      ...store,
      markSent: (ids, at) => () =>
        new Promise((resolve) => {
          events.push(`mark ${ids.length} asked`);
          marks.push(() => {
            void store.markSent(ids, at)().then(resolve);
          });
        }),
    };
    let completed = false;
    const drained = lastValueFrom(
      drainOutbox({
        outbox: slowMarks,
        publish: (records) => {
          events.push(`send ${records.length}`);
          return of(E.right(undefined));
        },
        retry,
        now: () => new Date(),
        pageSize: 100,
      }).pipe(toArray()),
    ).finally(() => {
      completed = true;
    });
    while (marks.length < 3) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(events).toEqual(['send 100', 'mark 100 asked', 'send 100', 'mark 100 asked', 'send 50', 'mark 50 asked']);
    expect(sent.size).toBe(0);
    for (const release of marks.slice(0, 2)) release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(completed).toBe(false);
    marks[2]?.();
    expect(await drained).toEqual([100, 100, 50]);
    expect(sent.size).toBe(250);
  });

  it('marks an entry sent only after Kafka acknowledged it', async () => {
    const { store, sent } = memoryOutbox(150);
    const acknowledged = new Set<string>();
    const early: string[] = [];
    const watched: OutboxStore = {
      ...store,
      markSent: (ids, at) => {
        early.push(...ids.filter((id) => !acknowledged.has(id)));
        return store.markSent(ids, at);
      },
    };
    await lastValueFrom(
      drainOutbox({
        outbox: watched,
        publish: (records) =>
          timer(2).pipe(
            map(() => {
              for (const r of records) acknowledged.add(r._id);
              return E.right(undefined);
            }),
          ),
        retry,
        now: () => new Date(),
        pageSize: 100,
      }).pipe(toArray()),
    );
    expect(early).toEqual([]);
    expect(sent.size).toBe(150);
  });
});
