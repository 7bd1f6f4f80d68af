import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../src/outbox/outbox-entry.js';
import { ensureOutboxIndexes, outboxStore, type OutboxStore } from '../../src/outbox/outbox-store.js';
import {
  commandOutboxCollection,
  dispatchDue,
  dispatchOne,
  ensureStateIndexes,
  type Dispatched,
  type PaymentOrderDocument,
  type RetryDispatcherDeps,
} from '../../src/state/index.js';
import { commandOutboxEntry } from '../../src/state/command-outbox.js';
import { dispatchBatch } from '../../src/state/retry-dispatcher.js';
import { testDb, uniqueName } from '../support/real-stack.js';

describe('the retry dispatcher in batches, on the real store', () => {
  let store: Awaited<ReturnType<typeof testDb>>;
  beforeAll(async () => {
    store = await testDb();
    await ensureStateIndexes(store.db);
    await ensureOutboxIndexes(store.db, commandOutboxCollection);
  });
  afterAll(async () => {
    await store.close();
  });

  const orders = () => store.db.collection<PaymentOrderDocument>('payment_orders');
  const commands = () => store.db.collection<OutboxEntry>(commandOutboxCollection);
  const dispatcher = (
    owner: string,
    clock: () => Date = () => new Date(),
    outbox: OutboxStore = outboxStore(commands()),
  ): RetryDispatcherDeps => ({
    orders: orders(),
    outbox,
    commandTopic: 'commands',
    owner,
    leaseMs: 60_000,
    now: clock,
  });
  const retryPending = (
    id: string,
    over: Partial<PaymentOrderDocument> = {},
    now = new Date(),
  ): PaymentOrderDocument => ({
    _id: id as PaymentOrderDocument['_id'],
    amount: 500,
    currency: 'EUR',
    psp: 'stripe',
    status: 'RETRY_PENDING',
    attempts: 1,
    version: 1,
    nextRetryAt: new Date(now.getTime() - 1_000),
    lease: null,
    createdAt: now,
    updatedAt: now,
    history: [],
    ...over,
  });
  const run = async <A>(task: TE.TaskEither<{ message: string }, A>): Promise<A> => {
    const r = await task();
    if (E.isLeft(r)) throw new Error(r.left.message);
    return r.right;
  };
  /** Dispatches until a round finds nothing due. */
  const drain = async (deps: RetryDispatcherDeps, batchSize: number): Promise<Dispatched[]> => {
    const all: Dispatched[] = [];
    for (;;) {
      const round = await run(dispatchDue(deps, 1_000, batchSize));
      if (round.length === 0) return all;
      all.push(...round);
    }
  };

  it('lets two batch dispatchers and a one-at-a-time one at once send each due attempt exactly once', async () => {
    const now = new Date();
    const prefix = uniqueName('race');
    const due = Array.from({ length: 400 }, (_, i) => `${prefix}-${i}`);
    const notDue = `${prefix}-later`;
    const held = `${prefix}-held`;
    const final = `${prefix}-final`;
    await orders().insertMany([
      ...due.map((id, i) => retryPending(id, { attempts: 1 + (i % 3), version: 1 + i }, now)),
      retryPending(notDue, { nextRetryAt: new Date(now.getTime() + 60_000) }, now),
      retryPending(held, { lease: { owner: 'alive', until: new Date(now.getTime() + 60_000) } }, now),
      retryPending(final, { status: 'SUCCESSFUL' }, now),
    ]);

    const [a, b, c] = await Promise.all([
      drain(dispatcher('a'), 37),
      drain(dispatcher('b'), 50),
      (async () => {
        const one: Dispatched[] = [];
        for (;;) {
          const d = await run(dispatchOne(dispatcher('c')));
          if (d === undefined) return one;
          one.push(d);
        }
      })(),
    ]);

    const sent = [...a, ...b, ...c].map((d) => d.paymentOrderId);
    expect(new Set(sent).size).toBe(sent.length);
    expect(new Set(sent)).toEqual(new Set(due));
    // both batch dispatchers took part: the race was real
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);

    const docs = await orders()
      .find({ _id: { $in: [...due, notDue, held, final] } } as never)
      .toArray();
    const byId = new Map(docs.map((d) => [d._id as string, d]));
    for (const [i, id] of due.entries()) {
      const doc = byId.get(id);
      expect(doc).toMatchObject({ nextRetryAt: null, lease: null, attempts: 1 + (i % 3) });
      const dispatches = doc?.history.filter((h) => h.kind === 'dispatch') ?? [];
      // one dispatch, for the next attempt and no other
      expect(dispatches.map((h) => (h.kind === 'dispatch' ? h.commandKey : ''))).toEqual([
        `charge:${id}:${2 + (i % 3)}`,
      ]);
    }
    const recorded = await commands()
      .find({ _id: { $regex: `^charge:${prefix}-` } })
      .toArray();
    expect(recorded.map((r) => r._id).sort()).toEqual(due.map((id, i) => `charge:${id}:${2 + (i % 3)}`).sort());
    // what was not due, held by a live lease, or final, was left alone
    expect(byId.get(notDue)?.history).toEqual([]);
    expect(byId.get(held)?.lease?.owner).toBe('alive');
    expect(byId.get(final)?.nextRetryAt).not.toBeNull();
  });

  it('takes back a claim whose lease ran out, and the command its first holder recorded is not sent again', async () => {
    const now = new Date();
    const prefix = uniqueName('stale');
    const ids = Array.from({ length: 20 }, (_, i) => `${prefix}-${i}`);
    await orders().insertMany(ids.map((id) => retryPending(id, {}, now)));

    // Dispatcher a claims the batch, then stalls before recording (a GC pause, a partition) past its lease.
    let resume: () => void = () => undefined;
    const stalled = new Promise<void>((r) => {
      resume = r;
    });
    let claimed: () => void = () => undefined;
    const claimedNow = new Promise<void>((r) => {
      claimed = r;
    });
    const real = outboxStore(commands());
    const slow: OutboxStore = {
      ...real,
      record: (entries) => async () => {
        claimed();
        await stalled;
        return real.record(entries)();
      },
    };
    const first = dispatchBatch(
      dispatcher('a', () => now, slow),
      100,
    )();
    await claimedNow;
    const held = await orders()
      .find({ _id: { $in: ids } } as never)
      .toArray();
    expect(held.every((d) => d.lease?.owner.startsWith('a:') === true)).toBe(true);

    // Before its lease ran out nobody else may take them; after, b does, and completes them.
    const ours = (ds: readonly Dispatched[]): string[] =>
      ds.map((d) => d.paymentOrderId).filter((d) => d.startsWith(prefix));
    const early = await run(
      dispatchBatch(
        dispatcher('b', () => new Date(now.getTime() + 30_000)),
        100,
      ),
    );
    expect(ours(early.dispatched)).toEqual([]);
    const later = new Date(now.getTime() + 61_000);
    const taken = await run(
      dispatchBatch(
        dispatcher('b', () => later),
        100,
      ),
    );
    expect(ours(taken.dispatched).sort()).toEqual([...ids].sort());
    // the relay publishes b's commands
    await commands().updateMany({ _id: { $in: ids.map((id) => `charge:${id}:2`) } }, { $set: { status: 'sent' } });

    // a wakes up: its record is a duplicate (nothing new pending), its completion no longer matches
    resume();
    const late = await first;
    expect(E.isRight(late)).toBe(true);
    const recorded = await commands()
      .find({ _id: { $in: ids.map((id) => `charge:${id}:2`) } })
      .toArray();
    expect(recorded).toHaveLength(ids.length);
    expect(recorded.every((r) => r.status === 'sent')).toBe(true);
    const docs = await orders()
      .find({ _id: { $in: ids } } as never)
      .toArray();
    for (const doc of docs) {
      expect(doc).toMatchObject({ nextRetryAt: null, lease: null });
      const dispatches = doc.history.filter((h) => h.kind === 'dispatch');
      expect(dispatches).toHaveLength(1);
      expect(dispatches[0]).toMatchObject({ owner: 'b' });
    }
  });

  it('completes an order whose command a dead dispatcher had already recorded, without a second command', async () => {
    const now = new Date();
    const id = uniqueName('recorded');
    await orders().insertOne(
      retryPending(id, { attempts: 2, lease: { owner: 'dead:1', until: new Date(now.getTime() - 1) } }, now),
    );
    const command = {
      type: 'PaymentOrderRetryRequested',
      paymentOrderId: id,
      amount: 500,
      currency: 'EUR',
      psp: 'stripe',
      attempt: 3,
    } as never;
    await commands().insertOne({ ...commandOutboxEntry(command, 'commands', now), status: 'sent' });
    const batch = await run(dispatchBatch(dispatcher('d'), 10));
    expect(batch.dispatched.map((d) => d.commandKey)).toEqual([`charge:${id}:3`]);
    expect(await commands().countDocuments({ _id: { $regex: `^charge:${id}:` } })).toBe(1);
    expect((await commands().findOne({ _id: `charge:${id}:3` }))?.status).toBe('sent');
  });

  it('unschedules an order nothing can be sent for rather than claim it forever', async () => {
    const now = new Date();
    const id = uniqueName('bare');
    await orders().insertOne({
      _id: id as PaymentOrderDocument['_id'],
      status: 'INITIATED',
      attempts: 0,
      version: 0,
      nextRetryAt: new Date(now.getTime() - 1_000),
      lease: null,
      createdAt: now,
      updatedAt: now,
      history: [],
    });
    const batch = await run(dispatchBatch(dispatcher('e'), 10));
    expect(batch.dispatched.some((d) => d.paymentOrderId === id)).toBe(false);
    expect(await orders().findOne({ _id: id } as never)).toMatchObject({ nextRetryAt: null, lease: null });
    expect(await commands().countDocuments({ _id: { $regex: `:${id}:` } })).toBe(0);
  });
});
