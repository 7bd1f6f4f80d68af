import net from 'node:net';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { MongoClient, type Collection, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pspStatuses } from '../../src/codecs/index.js';
import type { PaymentOrderId, PspResultUpdateEvent, PspStatus } from '../../src/codecs/index.js';
import { optimisticWrite } from '../../src/state/conditional-update.js';
import {
  applyPspResult,
  decide,
  ensureStateIndexes,
  eventKeyOf,
  intentOf,
  orderStatuses,
  paymentOrderStore,
  processPaymentService,
  resultMemory,
} from '../../src/state/index.js';
import type {
  Outcome,
  PaymentOrderDocument,
  PaymentOrderStore,
  ProcessPaymentService,
  PspResult,
  ResultSource,
  RetryPolicy,
  StoreError,
} from '../../src/state/index.js';
import { endpoints, testDb, uniqueName } from '../support/real-stack.js';
import { at, eventSequence, fixedClock, fixedNow, fold, initiated, orderId, source } from './fixtures.js';

const policy: RetryPolicy = { maxAttempts: 5 };
/** As the worker runs: retries and check-later answers scheduled (a fixed draw, so the model can agree). */
const scheduling: RetryPolicy = {
  maxAttempts: 5,
  schedule: { retryBackoff: { baseMs: 2_000, capMs: 60_000 }, checkDelayMs: 30_000, random: () => 0.5 },
};
const policies = [
  { name: 'without a schedule', policy },
  { name: 'scheduling retries and checks', policy: scheduling },
] as const;

let db: Db;
let close: () => Promise<void>;
let orders: Collection<PaymentOrderDocument>;
let service: ProcessPaymentService;

beforeAll(async () => {
  ({ db, close } = await testDb());
  orders = db.collection<PaymentOrderDocument>('payment_orders');
  service = processPaymentService({ store: paymentOrderStore(orders), policy, now: fixedClock });
});

afterAll(async () => {
  await close();
});

const run = async <A>(task: () => Promise<E.Either<StoreError, A>>): Promise<A> => {
  const result = await task();
  if (E.isLeft(result)) throw new Error(`store error: ${JSON.stringify(result.left)}`);
  return result.right;
};

const insert = async (doc: PaymentOrderDocument): Promise<void> => {
  await orders.insertOne(structuredClone(doc));
};

const stored = async (id: PaymentOrderId): Promise<PaymentOrderDocument | null> => orders.findOne({ _id: id });

const event = (id: PaymentOrderId, pspStatus: PspStatus, seconds: number, extra: Partial<PspResultUpdateEvent> = {}) =>
  ({ paymentOrderId: id, pspStatus, eventTime: at(seconds), ...extra }) satisfies PspResultUpdateEvent;

// ---------------------------------------------------------------------------------------------------------
// Differential test: the service over the real store against the pure model.
// ---------------------------------------------------------------------------------------------------------

interface Scenario {
  /** Every order's results in that order's order; `missing` orders are never inserted. */
  readonly perOrder: readonly {
    readonly id: PaymentOrderId;
    readonly missing: boolean;
    readonly results: readonly PspResult[];
  }[];
  /** All results, interleaved across orders but in order per order, split into batches. */
  readonly batches: readonly (readonly PspResult[])[];
}

const scenario = (seed: number, orderCount: number): Scenario => {
  const prefix = uniqueName(`po-${seed}`);
  const arb = fc
    .tuple(
      fc.array(eventSequence(orderId('placeholder'), { minLength: 1, maxLength: 8 }), {
        minLength: orderCount,
        maxLength: orderCount,
      }),
      fc.array(fc.nat(), { minLength: orderCount * 8, maxLength: orderCount * 8 }),
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: orderCount * 8, maxLength: orderCount * 8 }),
    )
    .map(([drawn, picks, sizes]) => ({ drawn, picks, sizes }));
  const [sample] = fc.sample(arb, { seed, numRuns: 1 });
  if (sample === undefined) throw new Error('no sample');

  let offset = 0;
  const perOrder = sample.drawn.map((events, n) => {
    const id = orderId(`${prefix}-${n}`);
    // Every record is a record of its own: repeats of an event are republications, not redeliveries.
    const results = events.map((e): PspResult => ({
      event: { ...e, paymentOrderId: id },
      source: source(offset++, n % 3),
    }));
    // Every thirteenth order is never inserted.
    return { id, missing: n % 13 === 12, results };
  });

  // Interleave: repeatedly take the next result of an order picked at random.
  const cursors = perOrder.map(() => 0);
  const interleaved: PspResult[] = [];
  let p = 0;
  for (;;) {
    const open = perOrder.flatMap((o, n) => ((cursors[n] ?? 0) < o.results.length ? [n] : []));
    if (open.length === 0) break;
    const n = open[(sample.picks[p++ % sample.picks.length] ?? 0) % open.length] ?? 0;
    const cursor = cursors[n] ?? 0;
    cursors[n] = cursor + 1;
    interleaved.push(perOrder[n]?.results[cursor] as PspResult);
  }

  const batches: PspResult[][] = [];
  for (let i = 0, b = 0; i < interleaved.length; b++) {
    const size = sample.sizes[b % sample.sizes.length] ?? 1;
    batches.push(interleaved.slice(i, i + size));
    i += size;
  }
  return { perOrder, batches };
};

// The same, with the worker's memory of recorded keys and terminal orders: it may spare reads, never change an answer.
const services = [
  ...policies.map((p) => ({ ...p, remembering: false })),
  ...policies.map((p) => ({ ...p, name: `${p.name}, remembering`, remembering: true })),
];

describe.each(services)('processPspResults against the pure model, $name', ({ policy, remembering }) => {
  const tally = new Map<string, number>();
  let exhausted = 0;

  it.each([20260001, 424242, 7])(
    'ends every order where the model does, with the model’s outcomes (seed %i)',
    async (seed) => {
      const { perOrder, batches } = scenario(seed, 40);
      for (const o of perOrder) if (!o.missing) await insert(initiated(o.id));
      const service = processPaymentService({
        store: paymentOrderStore(orders),
        policy,
        now: fixedClock,
        ...(remembering ? { memory: resultMemory(50) } : {}),
      });

      const outcomes = new Map<PspResult, Outcome>();
      for (const batch of batches) {
        const got = await run(service.processPspResults(batch));
        expect(got).toHaveLength(batch.length);
        batch.forEach((r, i) => outcomes.set(r, got[i] as Outcome));
      }

      for (const o of perOrder) {
        const model = fold(o.missing ? null : initiated(o.id), o.results, policy);
        const doc = await stored(o.id);
        // The same clock stamps both, so the whole document must agree, history entries included.
        expect(doc, o.id).toEqual(model.doc);
        if (doc !== null && model.doc !== null) {
          // The parts that matter most, spelled out so a failure says which one drifted.
          expect(doc.status).toBe(model.doc.status);
          expect(doc.attempts).toBe(model.doc.attempts);
          expect(doc.version).toBe(model.doc.version);
          expect(doc.lastEventTime).toEqual(model.doc.lastEventTime);
          expect(doc.history.map((h) => [h.key, h.outcome, h.to])).toEqual(
            model.doc.history.map((h) => [h.key, h.outcome, h.to]),
          );
          if (doc.failureReason === 'retries exhausted') exhausted++;
        }
        expect(
          o.results.map((r) => outcomes.get(r)),
          o.id,
        ).toEqual(model.outcomes);
        for (const m of model.outcomes) tally.set(m._tag, (tally.get(m._tag) ?? 0) + 1);
      }
    },
  );

  it('exercised every kind of outcome, and exhausted retries, across the scenarios above', () => {
    expect([...tally.keys()].sort()).toEqual(
      ['Applied', 'Duplicate', 'IgnoredTerminal', 'InvalidTransition', 'Stale', 'UnknownOrder'].sort(),
    );
    expect(exhausted).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The optimistic filter, run by the real server.
// ---------------------------------------------------------------------------------------------------------

describe.each(policies)('the optimistic conditional update on the real store, $name', ({ policy }) => {
  it('matches exactly the orders for which decide gives the transition it writes, once', async () => {
    const prefix = uniqueName('po-guard');
    const lastEventTimes = [undefined, at(4), at(5), at(6)] as const;
    const cases = orderStatuses.flatMap((status) =>
      [0, policy.maxAttempts - 2, policy.maxAttempts - 1].flatMap((attempts) =>
        lastEventTimes.flatMap((lastEventTime) =>
          pspStatuses.map((pspStatus) => ({ status, attempts, lastEventTime, pspStatus })),
        ),
      ),
    );
    const docs = cases.map((c, n): PaymentOrderDocument => ({
      ...initiated(orderId(`${prefix}-${n}`)),
      status: c.status,
      attempts: c.attempts,
      ...(c.lastEventTime === undefined ? {} : { lastEventTime: c.lastEventTime }),
    }));
    await orders.insertMany(structuredClone(docs));

    const events = cases.map((c, n) => event(orderId(`${prefix}-${n}`), c.pspStatus, 5));
    const writes = events.flatMap((e, n) => {
      const w = optimisticWrite(e, eventKeyOf(e), source(n), policy, fixedNow);
      if (w === undefined) throw new Error('every result under this policy has an optimistic write');
      return w.alternatives;
    });
    await orders.bulkWrite(
      writes.map((w) => ({ updateOne: { filter: w.filter, update: w.update } })),
      { ordered: false },
    );

    const after = new Map(
      (await orders.find({ _id: { $in: docs.map((d) => d._id) } }).toArray()).map((d) => [d._id, d]),
    );
    const mismatches = cases.flatMap((c, n) => {
      const doc = docs[n] as PaymentOrderDocument;
      const written = after.get(doc._id);
      const matched = (written?.version ?? 0) > 0;
      const intent = intentOf(c.pspStatus);
      const target =
        intent._tag === 'Retry'
          ? { _tag: 'Transition', to: 'RETRY_PENDING', attempts: c.attempts + 1 }
          : { _tag: 'Transition', to: intent.to, attempts: c.attempts };
      const e = events[n] as PspResultUpdateEvent;
      const decided = decide(doc, e, policy);
      const agrees = matched === (JSON.stringify(decided) === JSON.stringify(target));
      // What it wrote is what the model writes: one version, and the same schedule.
      const model = applyPspResult(doc, e, source(n), policy, fixedNow).doc;
      const sameWrite =
        !matched ||
        (written?.version === 1 &&
          written.status === model?.status &&
          written.attempts === model.attempts &&
          written.nextRetryAt?.getTime() === model.nextRetryAt?.getTime());
      return agrees && sameWrite ? [] : [{ ...c, matched, decided, written: written?.version }];
    });
    expect(mismatches).toEqual([]);
  });
});

describe('ensureStateIndexes', () => {
  it('gives the dispatcher’s due-order query its index, and is idempotent', async () => {
    await ensureStateIndexes(db);
    await ensureStateIndexes(db);
    const indexes = await orders.indexes();
    expect(indexes.map((i) => [i.name, i.key])).toEqual(
      expect.arrayContaining([
        ['status_updatedAt', { status: 1, updatedAt: 1 }],
        ['nextRetryAt', { nextRetryAt: 1 }],
      ]),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// The single-result path.
// ---------------------------------------------------------------------------------------------------------

describe('processPspResult', () => {
  it('applies a result once, and calls the same result from another record a duplicate', async () => {
    const id = orderId(uniqueName('po-dup'));
    await insert(initiated(id));
    const e = event(id, 'PENDING', 1, { pspReference: 'ref-1' });

    expect(await run(service.processPspResult(e, source(100)))).toEqual({ _tag: 'Applied', to: 'PENDING' });
    const once = await stored(id);
    expect(await run(service.processPspResult(e, source(101)))).toEqual({ _tag: 'Duplicate' });
    expect(await run(service.processPspResult(e, source(5, 2, 'psp-results-retry')))).toEqual({ _tag: 'Duplicate' });
    expect(await stored(id)).toEqual(once);
    expect(once).toMatchObject({ status: 'PENDING', version: 1, pspReference: 'ref-1', lastEventTime: at(1) });
  });

  it('calls a result for an order not in the store an unknown order, and writes nothing', async () => {
    const id = orderId(uniqueName('po-missing'));
    expect(await run(service.processPspResult(event(id, 'SUCCESSFUL', 1), source(1)))).toEqual({
      _tag: 'UnknownOrder',
    });
    expect(await stored(id)).toBeNull();
  });

  it('records a result for a terminal order as ignored-terminal and leaves the order as it was', async () => {
    const id = orderId(uniqueName('po-terminal'));
    await insert(initiated(id));
    expect(await run(service.processPspResult(event(id, 'DECLINED', 1, { errorCode: 'E-DECL' }), source(1)))).toEqual({
      _tag: 'Applied',
      to: 'DECLINED',
    });
    expect(await run(service.processPspResult(event(id, 'SUCCESSFUL', 2), source(2)))).toEqual({
      _tag: 'IgnoredTerminal',
      status: 'DECLINED',
    });
    const doc = await stored(id);
    expect(doc).toMatchObject({ status: 'DECLINED', version: 2, lastEventTime: at(1), lastErrorCode: 'E-DECL' });
    expect(doc?.history.map((h) => [h.outcome, h.to])).toEqual([
      ['applied', 'DECLINED'],
      ['ignored-terminal', 'DECLINED'],
    ]);
  });

  it('fails the order with "retries exhausted" at the fifth retryable result', async () => {
    const id = orderId(uniqueName('po-retry'));
    await insert(initiated(id));
    const retryables = ['TIMEOUT', 'PSP_UNAVAILABLE', 'FAILED_TRANSIENT', 'TIMEOUT', 'PSP_UNAVAILABLE'] as const;
    const got: Outcome[] = [];
    for (const [i, s] of retryables.entries())
      got.push(await run(service.processPspResult(event(id, s, i), source(i))));
    expect(got).toEqual([
      ...Array.from({ length: 4 }, () => ({ _tag: 'Applied', to: 'RETRY_PENDING' })),
      { _tag: 'Applied', to: 'FAILED', reason: 'retries exhausted' },
    ]);
    expect(await stored(id)).toMatchObject({
      status: 'FAILED',
      attempts: 5,
      failureReason: 'retries exhausted',
      version: 5,
    });
    expect(await run(service.processPspResult(event(id, 'TIMEOUT', 9), source(9)))).toEqual({
      _tag: 'IgnoredTerminal',
      status: 'FAILED',
    });
    expect(await stored(id)).toMatchObject({ attempts: 5, version: 6 });
  });

  it('schedules each retry in one round trip, and reads only for the one that exhausts the attempts', async () => {
    const id = orderId(uniqueName('po-retry-trips'));
    await insert(initiated(id));
    const calls: string[] = [];
    const real = paymentOrderStore(orders);
    const counted: PaymentOrderStore = {
      ...real,
      write: (writes) => {
        calls.push(`write ${writes.length}`);
        return real.write(writes);
      },
      find: (ids) => {
        calls.push('find');
        return real.find(ids);
      },
    };
    const scheduled = processPaymentService({ store: counted, policy: scheduling, now: fixedClock });
    const tripsPerResult: string[][] = [];
    for (const i of [0, 1, 2, 3, 4]) {
      calls.length = 0;
      await run(scheduled.processPspResult(event(id, 'TIMEOUT', i), source(i)));
      tripsPerResult.push([...calls]);
    }
    // attempts 0..3 each have their alternative in one bulk write; the fifth matches none, is read, then written
    expect(tripsPerResult).toEqual([...Array.from({ length: 4 }, () => ['write 4']), ['write 4', 'find', 'write 1']]);
    expect(await stored(id)).toMatchObject({ status: 'FAILED', attempts: 5, version: 5, nextRetryAt: null });
  });

  it('says Applied again for a redelivery of the very record it applied, and changes nothing', async () => {
    const id = orderId(uniqueName('po-redeliver'));
    await insert(initiated(id));
    const src: ResultSource = { topic: 'psp-results', partition: 3, offset: '4711', traceId: 'trace-1' };
    const first = event(id, 'AUTH_REQUIRED', 1);
    expect(await run(service.processPspResult(first, src))).toEqual({ _tag: 'Applied', to: 'AUTH_REQUIRED' });
    const applied = await stored(id);

    // Redelivered later, by a consumer whose clock has moved on: not even updatedAt may change.
    const again = { _tag: 'Applied', to: 'AUTH_REQUIRED', redelivered: true };
    const later = processPaymentService({ store: paymentOrderStore(orders), policy, now: () => at(3600) });
    expect(await run(later.processPspResult(first, src))).toEqual(again);
    expect(await run(later.processPspResults([{ event: first, source: src }]))).toEqual([again]);
    expect(await stored(id)).toEqual(applied);

    // Still Applied after later results moved the order on: the record's own effect is in the store.
    expect(await run(service.processPspResult(event(id, 'CAPTURE_PENDING', 2), source(4712, 3)))).toEqual({
      _tag: 'Applied',
      to: 'CAPTURE_PENDING',
    });
    const moved = await stored(id);
    expect(await run(later.processPspResult(first, src))).toEqual(again);
    expect(await stored(id)).toEqual(moved);
  });

  it('gives the exhausting result its reason on redelivery too', async () => {
    const id = orderId(uniqueName('po-redeliver-exhausted'));
    await insert({ ...initiated(id), status: 'RETRY_PENDING', attempts: policy.maxAttempts - 1 });
    const e = event(id, 'TIMEOUT', 1);
    const applied = await run(service.processPspResult(e, source(1)));
    expect(applied).toEqual({ _tag: 'Applied', to: 'FAILED', reason: 'retries exhausted' });
    const doc = await stored(id);
    // Redelivered after a rebalance, so later: a write of this very instant would be this call's own.
    const later = processPaymentService({ store: paymentOrderStore(orders), policy, now: () => at(3600) });
    expect(await run(later.processPspResult(e, source(1)))).toEqual({ ...applied, redelivered: true });
    expect(await stored(id)).toEqual(doc);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Overlapping consumers and an unreachable store.
// ---------------------------------------------------------------------------------------------------------

describe("the worker's memory of recorded keys and terminal orders", () => {
  /** The real store, with a tally of its round trips. */
  const counted = () => {
    const calls = { write: 0, find: 0 };
    const real = paymentOrderStore(orders);
    const store: PaymentOrderStore = {
      ...real,
      write: (writes) => {
        calls.write += 1;
        return real.write(writes);
      },
      find: (ids) => {
        calls.find += 1;
        return real.find(ids);
      },
    };
    return { calls, service: processPaymentService({ store, policy, now: fixedClock, memory: resultMemory(100) }) };
  };

  it('answers a redelivered record and a republished result without a round trip, as the store would', async () => {
    const id = orderId(uniqueName('po-memory'));
    await insert(initiated(id));
    const { calls, service } = counted();
    const first = event(id, 'PENDING', 1);
    expect(await run(service.processPspResult(first, source(1)))).toEqual({ _tag: 'Applied', to: 'PENDING' });
    expect(calls).toEqual({ write: 1, find: 0 });
    // The same record again (a redelivery): its recorded outcome. The same result in another record: a duplicate.
    expect(await run(service.processPspResult(first, source(1)))).toEqual({
      _tag: 'Applied',
      to: 'PENDING',
      redelivered: true,
    });
    expect(await run(service.processPspResult(first, source(2)))).toEqual({ _tag: 'Duplicate' });
    expect(calls).toEqual({ write: 1, find: 0 });
    expect((await stored(id))?.history).toHaveLength(1);
  });

  it('reads only the orders of the results that wait for a read when the rest of their round was written', async () => {
    const [paid, retried] = [orderId(uniqueName('po-round')), orderId(uniqueName('po-round'))];
    await insert(initiated(paid));
    await insert(initiated(retried));
    const read: string[][] = [];
    const real = paymentOrderStore(orders);
    const store: PaymentOrderStore = {
      ...real,
      find: (ids) => {
        read.push([...ids]);
        return real.find(ids);
      },
    };
    const service = processPaymentService({ store, policy: scheduling, now: fixedClock, memory: resultMemory(100) });
    // One round of two: the final answer is written at once, the scheduled retry needs the attempts read first.
    const success = { event: event(paid, 'SUCCESSFUL', 1), source: source(1) };
    const timeout = { event: event(retried, 'TIMEOUT', 1), source: source(2) };
    expect(await run(service.processPspResults([success, timeout]))).toEqual([
      { _tag: 'Applied', to: 'SUCCESSFUL' },
      { _tag: 'Applied', to: 'RETRY_PENDING' },
    ]);
    expect(read).toEqual([[retried]]);
    // The written result is remembered like any other: its redelivery needs no round trip.
    expect(await run(service.processPspResults([success]))).toEqual([
      { _tag: 'Applied', to: 'SUCCESSFUL', redelivered: true },
    ]);
    expect(read).toEqual([[retried]]);
    expect(await stored(paid)).toMatchObject({ status: 'SUCCESSFUL', version: 1 });
    expect(await stored(retried)).toMatchObject({ status: 'RETRY_PENDING', attempts: 1, version: 1 });
  });

  it('records a late result for an order it saw end in one guarded write, without reading it', async () => {
    const id = orderId(uniqueName('po-memory'));
    await insert(initiated(id));
    const { calls, service } = counted();
    await run(service.processPspResult(event(id, 'SUCCESSFUL', 1), source(1)));
    expect(await run(service.processPspResult(event(id, 'PENDING', 2), source(2)))).toEqual({
      _tag: 'IgnoredTerminal',
      status: 'SUCCESSFUL',
    });
    expect(calls).toEqual({ write: 2, find: 0 });
    const model = fold(
      initiated(id),
      [
        { event: event(id, 'SUCCESSFUL', 1), source: source(1) },
        { event: event(id, 'PENDING', 2), source: source(2) },
      ],
      policy,
    );
    expect(await stored(id)).toEqual(model.doc);
  });

  it('falls back to reading when what it remembers is not the whole story', async () => {
    const id = orderId(uniqueName('po-memory'));
    await insert(initiated(id));
    const { calls, service } = counted();
    await run(service.processPspResult(event(id, 'DECLINED', 1), source(1)));
    // Another worker recorded this late result already: the guarded write matches nothing, the read decides.
    const other = processPaymentService({ store: paymentOrderStore(orders), policy, now: fixedClock });
    await run(other.processPspResult(event(id, 'PENDING', 2), source(7)));
    expect(await run(service.processPspResult(event(id, 'PENDING', 2), source(2)))).toEqual({ _tag: 'Duplicate' });
    expect(calls).toEqual({ write: 2, find: 1 });
    expect((await stored(id))?.history).toHaveLength(2);
  });
});

describe('two consumers overlapping on the same records (a rebalance)', () => {
  it('still leave every order where the model does', async () => {
    const { perOrder } = scenario(99, 12);
    for (const o of perOrder) if (!o.missing) await insert(initiated(o.id));
    const other = processPaymentService({ store: paymentOrderStore(orders), policy, now: fixedClock });
    await Promise.all(
      perOrder.map(async (o) => {
        const [a, b] = await Promise.all([
          (async () => {
            for (const r of o.results) await run(service.processPspResults([r]));
          })(),
          run(other.processPspResults(o.results)),
        ]);
        return [a, b];
      }),
    );
    for (const o of perOrder) {
      expect(await stored(o.id), o.id).toEqual(fold(o.missing ? null : initiated(o.id), o.results, policy).doc);
    }
  });
});

describe('an unreachable store', () => {
  const downService = (client: MongoClient): ProcessPaymentService =>
    processPaymentService({
      store: paymentOrderStore(client.db('unreachable').collection<PaymentOrderDocument>('payment_orders')),
      policy,
      now: fixedClock,
    });
  const one = (): PspResult => ({ event: event(orderId('po-unreachable-1'), 'SUCCESSFUL', 1), source: source(1) });
  // Two orders: one round of two results, so one unordered bulkWrite.
  const two = (): PspResult[] => [
    one(),
    { event: event(orderId('po-unreachable-2'), 'TIMEOUT', 1), source: source(2) },
  ];
  const closedPort = 'mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=500';

  const expectRetryableLeft = (result: E.Either<StoreError, unknown>): void => {
    expect(E.isLeft(result) ? result.left : result).toMatchObject({ _tag: 'StoreError', retryable: true });
  };

  // A client that never reached its server is closed by the driver after the first failed attempt, so every
  // call gets a client of its own.
  it('returns a retryable Left for one result', async () => {
    const client = new MongoClient(closedPort);
    try {
      const r = one();
      const result = await downService(client).processPspResult(r.event, r.source)();
      expectRetryableLeft(result);
      expect(E.isLeft(result) && result.left.code).toBe('store-unreachable');
    } finally {
      await client.close();
    }
  });

  it('returns a retryable Left for a batch of results for several orders', async () => {
    const client = new MongoClient(closedPort);
    try {
      expectRetryableLeft(await downService(client).processPspResults(two())());
    } finally {
      await client.close();
    }
  });

  describe('that went away after the service connected', () => {
    let proxy: Proxy;
    let client: MongoClient;
    let down: ProcessPaymentService;

    beforeAll(async () => {
      proxy = await tcpProxy(new URL(endpoints().mongoUrl));
      client = await new MongoClient(`mongodb://127.0.0.1:${proxy.port}/?directConnection=true`, {
        serverSelectionTimeoutMS: 500,
      }).connect();
      down = downService(client);
      await client.db('unreachable').command({ ping: 1 });
      await proxy.close();
    });

    afterAll(async () => {
      await client.close();
    });

    it('returns a retryable Left for one result', async () => {
      const r = one();
      expectRetryableLeft(await down.processPspResult(r.event, r.source)());
    });

    // BUG (src/state/store-error.ts): once connected, the driver wraps a bulkWrite's network or server-selection
    // error in a MongoBulkWriteError (a MongoServerError with no code and no write errors), which storeErrorOf
    // classifies as `store-rejected-unknown`, retryable: false. Drop `.fails` once storeErrorOf is fixed.
    it('returns a retryable Left for a batch of results for several orders', async () => {
      expectRetryableLeft(await down.processPspResults(two())());
    });
  });
});

interface Proxy {
  readonly port: number;
  /** Stops accepting and cuts every open connection: the store is gone. */
  readonly close: () => Promise<void>;
}

/** A TCP relay to the real store, so a test can take the store away from a connected client. */
const tcpProxy = async (target: URL): Promise<Proxy> => {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((downstream) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [downstream, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    downstream.pipe(upstream).pipe(downstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
};
