import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentOrderRequest } from '../../src/codecs/index.js';
import type { OutboxEntry } from '../../src/outbox/outbox-entry.js';
import { ensureOutboxIndexes, outboxStore } from '../../src/outbox/outbox-store.js';
import {
  commandOutboxCollection,
  createPaymentOrder,
  dispatchOne,
  type PaymentOrderDocument,
  type RetryDispatcherDeps,
} from '../../src/state/index.js';
import { createPaymentOrders } from '../../src/state/payment-order-intake.js';
import { testDb, uniqueName } from '../support/real-stack.js';

describe('PaymentService intake and the retry dispatcher on the real store', () => {
  let store: Awaited<ReturnType<typeof testDb>>;
  beforeAll(async () => {
    store = await testDb();
    await ensureOutboxIndexes(store.db, commandOutboxCollection);
  });
  afterAll(async () => {
    await store.close();
  });

  const orders = () => store.db.collection<PaymentOrderDocument>('payment_orders');
  const commands = () => store.db.collection<OutboxEntry>(commandOutboxCollection);
  const intake = (now = new Date()) =>
    createPaymentOrder({
      orders: orders(),
      outbox: outboxStore(commands()),
      commandTopic: 'commands',
      now: () => now,
      commandGraceMs: 30_000,
    });
  const request = (): PaymentOrderRequest =>
    ({ paymentOrderId: uniqueName('intake'), amount: 1999, currency: 'EUR', psp: 'adyen' }) as PaymentOrderRequest;

  it('creates an order in INITIATED with a created entry and records its first command once', async () => {
    const r = request();
    expect(await intake()(r)()).toEqual(E.right({ _tag: 'Created' }));
    expect(await intake()(r)()).toEqual(E.right({ _tag: 'AlreadyExists' }));
    const doc = await orders().findOne({ _id: r.paymentOrderId });
    expect(doc).toMatchObject({ status: 'INITIATED', amount: 1999, currency: 'EUR', psp: 'adyen', nextRetryAt: null });
    expect(doc?.history.map((h) => h.kind)).toEqual(['created', 'dispatch']);
    expect(await commands().countDocuments({ _id: `charge:${r.paymentOrderId}:1` })).toBe(1);
  });

  it('refuses the same id with other content as a conflict and changes nothing', async () => {
    const r = request();
    await intake()(r)();
    const result = await intake()({ ...r, amount: 2000 } as PaymentOrderRequest)();
    expect(result).toEqual(E.left({ _tag: 'Conflict', paymentOrderId: r.paymentOrderId, fields: ['amount'] }));
    expect((await orders().findOne({ _id: r.paymentOrderId }))?.amount).toBe(1999);
  });

  it("creates many orders in one batch with the single order's answer for each: new, the same again, a conflict", async () => {
    const deps = {
      orders: orders(),
      outbox: outboxStore(commands()),
      commandTopic: 'commands',
      now: () => new Date(),
      commandGraceMs: 30_000,
    };
    const existing = request();
    await intake()(existing)();
    const conflicting = request();
    await intake()(conflicting)();
    // an order inserted by a process that crashed before recording its command
    const unrecorded = request();
    await orders().insertOne({
      _id: unrecorded.paymentOrderId,
      amount: 1999,
      currency: 'EUR',
      psp: 'adyen',
      status: 'INITIATED',
      attempts: 0,
      version: 0,
      nextRetryAt: new Date(Date.now() + 30_000),
      lease: null,
      createdAt: new Date(),
      updatedAt: new Date(),
      history: [],
    });
    const fresh = Array.from({ length: 50 }, request);
    const twice = request();
    const batch = [
      ...fresh.slice(0, 25),
      existing,
      { ...conflicting, currency: 'USD', psp: 'stripe' } as PaymentOrderRequest,
      twice,
      unrecorded,
      { ...twice, amount: 1 } as PaymentOrderRequest,
      twice,
      ...fresh.slice(25),
    ];
    const result = await createPaymentOrders(deps)(batch)();
    if (E.isLeft(result)) throw new Error(result.left.message);
    const created = E.right({ _tag: 'Created' });
    const again = E.right({ _tag: 'AlreadyExists' });
    expect(result.right).toEqual([
      ...fresh.slice(0, 25).map(() => created),
      again,
      E.left({ _tag: 'Conflict', paymentOrderId: conflicting.paymentOrderId, fields: ['currency', 'psp'] }),
      created,
      again,
      E.left({ _tag: 'Conflict', paymentOrderId: twice.paymentOrderId, fields: ['amount'] }),
      again,
      ...fresh.slice(25).map(() => created),
    ]);
    const ids = [...fresh, twice, unrecorded].map((r) => r.paymentOrderId);
    const docs = await orders()
      .find({ _id: { $in: ids } })
      .toArray();
    expect(docs).toHaveLength(ids.length);
    for (const doc of docs) {
      expect(doc).toMatchObject({ status: 'INITIATED', nextRetryAt: null });
      expect(doc.history.filter((h) => h.kind === 'dispatch')).toHaveLength(1);
    }
    expect(docs.find((d) => d._id === twice.paymentOrderId)?.amount).toBe(1999);
    expect(await commands().countDocuments({ _id: { $in: ids.map((id) => `charge:${id}:1`) } })).toBe(ids.length);
    expect((await orders().findOne({ _id: conflicting.paymentOrderId }))?.currency).toBe('EUR');
    expect(await createPaymentOrders(deps)([])()).toEqual(E.right([]));
  });

  it('lets two dispatchers at once send each due attempt exactly once, and takes back a claim whose lease ran out', async () => {
    const now = new Date();
    const ids = Array.from({ length: 30 }, () => uniqueName('due'));
    await orders().insertMany(
      ids.map((id): PaymentOrderDocument => ({
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
      })),
    );
    const dispatcher = (owner: string, clock = () => new Date()): RetryDispatcherDeps => ({
      orders: orders(),
      outbox: outboxStore(commands()),
      commandTopic: 'commands',
      owner,
      leaseMs: 60_000,
      now: clock,
    });
    const drain = async (deps: RetryDispatcherDeps): Promise<number> => {
      let n = 0;
      for (;;) {
        const r = await dispatchOne(deps)();
        if (E.isLeft(r)) throw new Error(r.left.message);
        if (r.right === undefined) return n;
        n += 1;
      }
    };
    const [a, b] = await Promise.all([drain(dispatcher('a')), drain(dispatcher('b'))]);
    expect(a + b).toBe(ids.length);
    const recorded = await commands()
      .find({ _id: { $in: ids.map((id) => `charge:${id}:2`) } })
      .toArray();
    expect(recorded).toHaveLength(ids.length);
    const docs = await orders()
      .find({ _id: { $in: ids } } as never)
      .toArray();
    expect(docs.every((d) => d.nextRetryAt === null && d.lease === null)).toBe(true);
    expect(docs.every((d) => d.history.filter((h) => h.kind === 'dispatch').length === 1)).toBe(true);

    // a claim that was never completed (its dispatcher died) is taken again after the lease
    const stuck = uniqueName('stuck');
    await orders().insertOne({
      _id: stuck as PaymentOrderDocument['_id'],
      amount: 500,
      currency: 'EUR',
      psp: 'stripe',
      status: 'RETRY_PENDING',
      attempts: 2,
      version: 3,
      nextRetryAt: new Date(now.getTime() - 1_000),
      lease: { owner: 'dead', until: new Date(now.getTime() + 60_000) },
      createdAt: now,
      updatedAt: now,
      history: [],
    });
    expect(await drain(dispatcher('c'))).toBe(0);
    expect(await drain(dispatcher('c', () => new Date(Date.now() + 61_000)))).toBe(1);
    expect(await commands().countDocuments({ _id: `charge:${stuck}:3` })).toBe(1);
  });
});
