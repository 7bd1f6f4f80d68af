import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { MongoClient, type Collection, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pspStatuses, type PaymentOrderId, type PspStatus } from '../../src/codecs/index.js';
import {
  claimableFilter,
  ensureStateIndexes,
  paymentOrderStore,
  paymentOrdersCollection,
  processPaymentService,
  type PaymentOrderDocument,
  type RetryPolicy,
} from '../../src/state/index.js';
import type { OutboxEntry } from '../../src/outbox/outbox-entry.js';
import { ensureOutboxIndexes, outboxStore, type OutboxStore } from '../../src/outbox/outbox-store.js';
import { stackLayout } from '../../src/stack/layout.js';
import { mongoServer } from '../../src/stack/mongo-server.js';
import type { LocalServer } from '../../src/stack/service.js';
import { at, initiated, orderId, source } from '../state/fixtures.js';
import { freePort } from '../../src/stack/free-port.js';
import { endpoints, uniqueName } from '../support/real-stack.js';

/**
 * The indexed stand-in (the embedded default) against the plain memory backend, which scans: the same
 * random stream of the product's statements goes to both, and every answer and the final documents must
 * be equal. The index may only narrow what the matcher looks at, never change what matches.
 */
const ids = Array.from({ length: 8 }, (_, i) => orderId(`po-${String(i).padStart(2, '0')}`));
const policies: Record<'plain' | 'scheduling', RetryPolicy> = {
  plain: { maxAttempts: 3 },
  scheduling: {
    maxAttempts: 3,
    schedule: { retryBackoff: { baseMs: 2_000, capMs: 8_000 }, checkDelayMs: 5_000, random: () => 0.5 },
  },
};

const idIndex = fc.integer({ min: 0, max: ids.length - 1 });
const idAt = (i: number): PaymentOrderId => ids[i] ?? orderId('po-missing');
// Whole seconds on a small grid, and the service's clock on the same grid (`at(step)`) with backoffs of whole
// seconds: due times and query bounds often coincide, so every `$lte`/`$gt` boundary is exercised.
const instant = fc.integer({ min: 0, max: 12 });

type Op =
  | { readonly kind: 'insert'; readonly ids: readonly number[] }
  | {
      readonly kind: 'process';
      readonly policy: keyof typeof policies;
      readonly results: readonly { id: number; status: PspStatus; t: number; ref: boolean }[];
    }
  | { readonly kind: 'schedule'; readonly id: number; readonly due: number | null | 'unset' }
  | { readonly kind: 'claim'; readonly now: number }
  | { readonly kind: 'guarded'; readonly id: number; readonly version: number; readonly key: string }
  | { readonly kind: 'findIn'; readonly ids: readonly number[] }
  | { readonly kind: 'findRange'; readonly gt: number | undefined; readonly lte: number | undefined }
  | { readonly kind: 'countDue'; readonly now: number }
  | { readonly kind: 'byStatus'; readonly status: string }
  | { readonly kind: 'releaseDue'; readonly now: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), ids: fc.array(idIndex, { minLength: 1, maxLength: 4 }) }),
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('process' as const),
      policy: fc.constantFrom('plain' as const, 'scheduling' as const),
      results: fc.array(
        fc.record({ id: idIndex, status: fc.constantFrom(...pspStatuses), t: instant, ref: fc.boolean() }),
        { minLength: 1, maxLength: 12 },
      ),
    }),
  },
  fc.record({
    kind: fc.constant('schedule' as const),
    id: idIndex,
    due: fc.oneof(instant, fc.constant(null), fc.constant('unset' as const)),
  }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('claim' as const), now: instant }) },
  fc.record({
    kind: fc.constant('guarded' as const),
    id: idIndex,
    version: fc.integer({ min: 0, max: 4 }),
    key: fc.constantFrom('k1', 'k2'),
  }),
  fc.record({ kind: fc.constant('findIn' as const), ids: fc.array(idIndex, { maxLength: 5 }) }),
  fc.record({
    kind: fc.constant('findRange' as const),
    gt: fc.option(instant, { nil: undefined }),
    lte: fc.option(instant, { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('countDue' as const), now: instant }),
  // the prefix of the compound index {status, updatedAt}, as the outbox relay's `status: 'pending'` uses it
  fc.record({
    kind: fc.constant('byStatus' as const),
    status: fc.constantFrom('INITIATED', 'PENDING', 'RETRY_PENDING', 'SUCCESSFUL', 'FAILED'),
  }),
  fc.record({ kind: fc.constant('releaseDue' as const), now: instant }),
);

const byId = { sort: { _id: 1 } } as const;

/** Runs one statement and returns what a caller sees of it, errors included, as plain data. */
const run = async (orders: Collection<PaymentOrderDocument>, o: Op, step: number): Promise<unknown> => {
  const attempt = async (f: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await f();
    } catch (error) {
      const e = error as { code?: unknown; result?: { insertedCount?: unknown } };
      return { error: e.code ?? String(error) };
    }
  };
  switch (o.kind) {
    case 'insert':
      return attempt(async () => {
        await orders.insertMany(
          o.ids.map((i) => initiated(idAt(i))),
          { ordered: false },
        );
        return 'inserted';
      });
    case 'process': {
      const service = processPaymentService({
        store: paymentOrderStore(orders),
        policy: policies[o.policy],
        now: () => at(step % 10),
      });
      const outcomes = await service.processPspResults(
        o.results.map((r, i) => ({
          event: {
            paymentOrderId: idAt(r.id),
            pspStatus: r.status,
            eventTime: at(r.t),
            ...(r.ref ? { pspReference: 'ref-a' } : {}),
          },
          source: source(step * 100 + i),
        })),
      )();
      return E.isRight(outcomes) ? outcomes.right : { error: outcomes.left.code };
    }
    case 'schedule':
      return attempt(async () => {
        const update =
          o.due === 'unset'
            ? { $unset: { nextRetryAt: '' as const } }
            : { $set: { nextRetryAt: o.due === null ? null : at(o.due) } };
        const r = await orders.updateOne({ _id: idAt(o.id) }, update);
        return [r.matchedCount, r.modifiedCount];
      });
    case 'claim':
      // The dispatcher's claim; `_id` breaks ties of `nextRetryAt`, whose order neither server promises.
      return attempt(() =>
        orders.findOneAndUpdate(
          claimableFilter(at(o.now)),
          { $set: { lease: { owner: `d-${step}`, until: at(o.now + 5) } }, $inc: { version: 1 } },
          { sort: { nextRetryAt: 1, _id: 1 }, returnDocument: 'before' },
        ),
      );
    case 'guarded':
      return attempt(async () => {
        const r = await orders.bulkWrite(
          [
            {
              updateOne: {
                filter: { _id: idAt(o.id), version: o.version, 'history.key': { $ne: o.key } },
                update: { $inc: { version: 1 }, $push: { history: { key: o.key } as never } },
              },
            },
          ],
          { ordered: false },
        );
        return [r.matchedCount, r.modifiedCount];
      });
    case 'findIn':
      return orders.find({ _id: { $in: o.ids.map((i) => idAt(i)) } }, byId).toArray();
    case 'findRange': {
      const range: Document = {};
      if (o.gt !== undefined) range['$gt'] = at(o.gt);
      if (o.lte !== undefined) range['$lte'] = at(o.lte);
      return orders
        .find(Object.keys(range).length === 0 ? { nextRetryAt: null } : { nextRetryAt: range }, byId)
        .toArray();
    }
    case 'countDue':
      return orders.countDocuments(claimableFilter(at(o.now)));
    case 'byStatus':
      return orders.find({ status: o.status as PaymentOrderDocument['status'] }, byId).toArray();
    case 'releaseDue':
      return attempt(async () => {
        const r = await orders.updateMany({ nextRetryAt: { $lte: at(o.now) } }, { $set: { lease: null } });
        return [r.matchedCount, r.modifiedCount];
      });
  }
};

/** The outbox's statements: record, the relay's claim (a walk of {status, createdAt, _id}), markSent, reads. */
type OutboxOp =
  | { readonly kind: 'record'; readonly entries: readonly { n: number; t: number }[] }
  | { readonly kind: 'claim'; readonly limit: number; readonly now: number }
  | { readonly kind: 'markSent'; readonly ns: readonly number[]; readonly at: number }
  | { readonly kind: 'count' }
  | { readonly kind: 'walk'; readonly direction: 1 | -1; readonly limit: number; readonly skip: number }
  | { readonly kind: 'pendingIn'; readonly ns: readonly number[] };

const entryNo = fc.integer({ min: 0, max: 11 });
const outboxOp: fc.Arbitrary<OutboxOp> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('record' as const),
      // few instants: many entries share a createdAt, so `_id` decides their order
      entries: fc.array(fc.record({ n: entryNo, t: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 5 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('claim' as const), limit: fc.integer({ min: 1, max: 5 }), now: instant }),
  },
  fc.record({ kind: fc.constant('markSent' as const), ns: fc.array(entryNo, { maxLength: 6 }), at: instant }),
  fc.record({ kind: fc.constant('count' as const) }),
  fc.record({
    kind: fc.constant('walk' as const),
    direction: fc.constantFrom(1 as const, -1 as const),
    limit: fc.integer({ min: 0, max: 6 }),
    skip: fc.integer({ min: 0, max: 2 }),
  }),
  fc.record({ kind: fc.constant('pendingIn' as const), ns: fc.array(entryNo, { maxLength: 6 }) }),
);

const outboxEntry = (n: number, t: number): OutboxEntry => ({
  _id: `e-${String(n).padStart(2, '0')}`,
  dedupKey: `d-${n}`,
  topic: 't',
  key: `k-${n % 3}`,
  value: '{}',
  headers: {},
  status: 'pending',
  createdAt: at(t),
});

const runOutbox = async (outbox: Collection<OutboxEntry>, store: OutboxStore, o: OutboxOp): Promise<unknown> => {
  const answer = async (task: () => Promise<E.Either<{ code: string }, unknown>>): Promise<unknown> => {
    const r = await task();
    return E.isRight(r) ? r.right : { error: r.left.code };
  };
  switch (o.kind) {
    case 'record':
      return answer(store.record(o.entries.map((e) => outboxEntry(e.n, e.t))));
    case 'claim':
      return answer(store.claim(o.limit, at(o.now)));
    case 'markSent':
      return answer(
        store.markSent(
          o.ns.map((n) => outboxEntry(n, 0)._id),
          at(o.at),
        ),
      );
    case 'count':
      return answer(store.countPending());
    case 'walk':
      return outbox
        .find({ status: 'pending' })
        .sort({ createdAt: o.direction, _id: o.direction })
        .skip(o.skip)
        .limit(o.limit)
        .toArray();
    case 'pendingIn':
      return outbox
        .find({ _id: { $in: o.ns.map((n) => outboxEntry(n, 0)._id) }, status: 'pending' })
        .sort({ _id: 1 })
        .toArray();
  }
};

describe('the indexed MongoDB stand-in', () => {
  let unindexed: LocalServer;
  let clients: MongoClient[] = [];
  let indexedDb: Db;
  let scanningDb: Db;

  beforeAll(async () => {
    const layout = stackLayout();
    unindexed = mongoServer(layout, { indexed: false, port: await freePort() });
    unindexed.install();
    await unindexed.start();
    const [indexedClient, scanningClient] = await Promise.all(
      [endpoints().mongoUrl, unindexed.connectionString].map((url) => new MongoClient(url).connect()),
    );
    if (indexedClient === undefined || scanningClient === undefined) throw new Error('no client');
    clients = [indexedClient, scanningClient];
    const name = uniqueName('differential').replace(/-/g, '_');
    indexedDb = indexedClient.db(name);
    scanningDb = scanningClient.db(name);
  });

  afterAll(async () => {
    await indexedDb.dropDatabase().catch(() => undefined);
    await Promise.all(clients.map((c) => c.close()));
    await unindexed.stop();
  });

  /** The same collection, emptied and indexed as the product indexes it, on the indexed and the scanning server. */
  const emptyOnBoth = async <T extends Document>(
    name: string,
    ensureIndexes: (db: Db) => Promise<void>,
  ): Promise<[Collection<T>, Collection<T>]> => {
    const [indexed, scanning] = await Promise.all(
      [indexedDb, scanningDb].map(async (db) => {
        await db
          .collection(name)
          .drop()
          .catch(() => undefined);
        await ensureIndexes(db);
        return db.collection<T>(name);
      }),
    );
    if (indexed === undefined || scanning === undefined) throw new Error('two servers expected');
    return [indexed, scanning];
  };

  it('answers every statement of a random stream as the scanning backend does, and ends with the same documents', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 30 }), async (drawn) => {
        runs += 1;
        const [indexed, scanning] = await emptyOnBoth<PaymentOrderDocument>(
          paymentOrdersCollection,
          ensureStateIndexes,
        );
        // Most orders exist from the start, as in production; later inserts meet them as duplicates.
        const ops: readonly Op[] = [{ kind: 'insert', ids: [0, 1, 2, 3, 4, 5] }, ...drawn];
        for (const [step, o] of ops.entries()) {
          const [got, want] = [await run(indexed, o, step), await run(scanning, o, step)];
          expect({ step, op: o, answer: got }).toEqual({ step, op: o, answer: want });
        }
        expect(await indexed.find({}, byId).toArray()).toEqual(await scanning.find({}, byId).toArray());
      }),
      { numRuns: Number(process.env['DIFFERENTIAL_RUNS'] ?? 60) },
    );
    expect(runs).toBeGreaterThanOrEqual(60);
  });

  it('answers the outbox relay’s statements as the scanning backend does: claims walked in index order, pages updated by _id', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(outboxOp, { minLength: 5, maxLength: 40 }), async (ops) => {
        runs += 1;
        const [indexed, scanning] = (
          await emptyOnBoth<OutboxEntry>('differential_outbox', (db) => ensureOutboxIndexes(db, 'differential_outbox'))
        ).map((outbox) => ({ outbox, store: outboxStore(outbox, { owner: 'relay', leaseMs: 3_000 }) })) as [
          { outbox: Collection<OutboxEntry>; store: OutboxStore },
          { outbox: Collection<OutboxEntry>; store: OutboxStore },
        ];
        for (const [step, o] of ops.entries()) {
          const got = await runOutbox(indexed.outbox, indexed.store, o);
          const want = await runOutbox(scanning.outbox, scanning.store, o);
          expect({ step, op: o, answer: got }).toEqual({ step, op: o, answer: want });
        }
        expect(await indexed.outbox.find({}, byId).toArray()).toEqual(await scanning.outbox.find({}, byId).toArray());
      }),
      { numRuns: Number(process.env['DIFFERENTIAL_RUNS'] ?? 60) },
    );
    expect(runs).toBeGreaterThanOrEqual(60);
  });

  it('builds an index atomically with the writes: an insert racing the start-up index build loses nothing', async () => {
    // Seen as a wave of orders "absent" in a reliability run: the worker's start-up index build raced the
    // load's first insertMany, which failed half-way ("Unknown error") and left documents out of the index.
    const clientsRacing = await Promise.all(
      [endpoints().mongoUrl, unindexed.connectionString].map((url) => new MongoClient(url).connect()),
    );
    try {
      for (const client of clientsRacing) {
        for (let round = 0; round < 12; round += 1) {
          const db = client.db(uniqueName('index_race').replace(/-/g, '_'));
          const racedIds = Array.from({ length: 1000 }, (_, i) => orderId(`race-${round}-${i}`));
          const docs = racedIds.map((id) => ({ ...initiated(id), nextRetryAt: null }));
          const [inserted] = await Promise.all([
            db.collection<PaymentOrderDocument>(paymentOrdersCollection).insertMany(docs, { ordered: false }),
            ensureStateIndexes(db),
          ]);
          const orders = db.collection<PaymentOrderDocument>(paymentOrdersCollection);
          const found = {
            inserted: inserted.insertedCount,
            byId: await orders.countDocuments({ _id: { $in: racedIds } }),
            byDueIndex: (await orders.find({ nextRetryAt: null }).toArray()).length,
            byStatusIndex: (await orders.find({ status: 'INITIATED' }).toArray()).length,
          };
          await db.dropDatabase();
          expect({ round, ...found }).toEqual({
            round,
            inserted: 1000,
            byId: 1000,
            byDueIndex: 1000,
            byStatusIndex: 1000,
          });
        }
      }
    } finally {
      await Promise.all(clientsRacing.map((c) => c.close()));
    }
  });

  it('plans through indexes: an _id equality stays fast while the scanning backend slows with the collection', async () => {
    const orders = [indexedDb, scanningDb].map((db) => db.collection<PaymentOrderDocument>('sized_orders')) as [
      Collection<PaymentOrderDocument>,
      Collection<PaymentOrderDocument>,
    ];
    const docs = Array.from({ length: 20_000 }, (_, i) => initiated(orderId(`sz-${i}`)));
    await Promise.all(orders.map((c) => c.insertMany(docs, { ordered: false })));
    // The quickest of five rounds of 40 statements: a busy machine slows a round, never speeds one up.
    const timeUpdates = async (c: Collection<PaymentOrderDocument>): Promise<number> => {
      const rounds: number[] = [];
      for (let round = 0; round < 5; round += 1) {
        const started = performance.now();
        for (let j = 0; j < 40; j += 1) {
          const i = round * 40 + j;
          await c.updateOne(
            {
              _id: orderId(`sz-${(i * 97) % 20_000}`),
              status: { $in: ['INITIATED'] },
              'history.key': { $ne: `k-${i}` },
            },
            { $inc: { version: 1 } },
          );
        }
        rounds.push(performance.now() - started);
      }
      return Math.min(...rounds);
    };
    const [indexedMs, scanningMs] = [await timeUpdates(orders[0]), await timeUpdates(orders[1])];
    // A scan of 20,000 documents per statement against an index lookup: an order of magnitude apart.
    expect(scanningMs / indexedMs).toBeGreaterThan(5);
  });
});
