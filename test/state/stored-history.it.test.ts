import * as E from 'fp-ts/lib/Either.js';
import type { Collection, Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  paymentOrderStore,
  processPaymentService,
  resultMemory,
  type PaymentOrderDocument,
  type RetryPolicy,
} from '../../src/state/index.js';
import { testDb, uniqueName } from '../support/real-stack.js';
import { at, orderId } from './fixtures.js';
import { storedBeforeOneVocabulary } from './stored-history.js';

// History entries stored before the one outcome vocabulary, read back by today's redelivery detection: the
// history is an audit record that is never rewritten, so every spelling ever stored must read as its outcome.

const policy: RetryPolicy = { maxAttempts: 5 };
// Redelivered after a rebalance, so later than every stored entry: nothing here is this call's own write.
const later = () => at(3600);

let db: Db;
let close: () => Promise<void>;
let orders: Collection<PaymentOrderDocument>;

beforeAll(async () => {
  ({ db, close } = await testDb());
  orders = db.collection<PaymentOrderDocument>('payment_orders');
});

afterAll(async () => {
  await close();
});

describe('history entries stored before the one outcome vocabulary', () => {
  it('answers a redelivery of each stored record with the outcome it recorded, and changes nothing', async () => {
    const id = orderId(uniqueName('po-stored'));
    const { doc, results } = storedBeforeOneVocabulary(id);
    await db.collection('payment_orders').insertOne(doc);
    const before = await orders.findOne({ _id: id });

    const service = processPaymentService({ store: paymentOrderStore(orders), policy, now: later });
    for (const r of results) {
      const one = await service.processPspResult(r.event, r.source)();
      expect(one).toEqual(E.right(r.redelivered));
    }
    // The same records as one batch (one round each, the order's results in order), and through a worker's
    // memory, which starts empty and so reads the stored entries too.
    const remembering = processPaymentService({
      store: paymentOrderStore(orders),
      policy,
      now: later,
      memory: resultMemory(100),
    });
    for (const s of [service, remembering]) {
      const batch = await s.processPspResults(results.map(({ event, source }) => ({ event, source })))();
      expect(batch).toEqual(E.right(results.map((r) => r.redelivered)));
    }
    expect(await orders.findOne({ _id: id })).toEqual(before);
  });

  it('still counts the same result in another record as a duplicate', async () => {
    const id = orderId(uniqueName('po-stored-dup'));
    const { doc, results } = storedBeforeOneVocabulary(id);
    await db.collection('payment_orders').insertOne(doc);
    const service = processPaymentService({ store: paymentOrderStore(orders), policy, now: later });
    for (const r of results) {
      const republished = { ...r.source, offset: String(Number(r.source.offset) + 1000) };
      expect(await service.processPspResult(r.event, republished)()).toEqual(E.right({ _tag: 'Duplicate' }));
    }
  });
});
