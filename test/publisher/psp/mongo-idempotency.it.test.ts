import { MongoClient, MongoServerError, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PspAnswer } from '../../../src/publisher/psp-client.js';
import type { StoredAnswer } from '../../../src/publisher/psp/index.js';
import {
  mongoIdempotency,
  simulatorCollections,
  type AnswerDocument,
  type ChargeDocument,
  type MongoIdempotencyOptions,
} from '../../../src/publisher/psp/mongo-idempotency.js';
import { endpoints, testDb, uniqueName } from '../../support/real-stack.js';
import { chargeOf, instant, noDeadline, orderId, simulators } from './simulators.js';

let store: Awaited<ReturnType<typeof testDb>>;
/** A second connection to the same database: the executor after a restart. */
let restartedClient: MongoClient;
let restartedDb: Db;

beforeAll(async () => {
  store = await testDb();
  restartedClient = await new MongoClient(endpoints().mongoUrl).connect();
  restartedDb = restartedClient.db(store.db.databaseName);
});
afterAll(async () => {
  await restartedClient.close();
  await store.close();
});

/** Collections of their own per test: the tests share one database. */
const freshPrefix = (): string => uniqueName('sim').replace(/-/g, '_');

const stored = (writer: string, answer: PspAnswer = { pspStatus: 'SUCCESSFUL', pspReference: `pi_${writer}` }) =>
  ({ paymentOrderId: orderId('o-1'), request: '["o-1",1250,"EUR"]', answer, writer }) satisfies StoredAnswer;

describe('mongoIdempotency', () => {
  it('keeps the first answer put under a key and hands it to later writers', async () => {
    const memory = mongoIdempotency(store.db, { collectionPrefix: freshPrefix() });
    expect(await memory.get('stripe:charge:k')).toBeUndefined();
    expect(await memory.put('stripe:charge:k', stored('first'))).toStrictEqual(stored('first'));
    expect(await memory.put('stripe:charge:k', stored('second'))).toStrictEqual(stored('first'));
    expect(await memory.get('stripe:charge:k')).toStrictEqual(stored('first'));
  });

  it('returns answers as they were put: no extra fields, absent optionals stay absent', async () => {
    const memory = mongoIdempotency(store.db, { collectionPrefix: freshPrefix() });
    const declined = stored('w', {
      pspStatus: 'DECLINED',
      errorCode: 'card_declined',
      errorMessage: 'Your card was declined.',
      pspReference: undefined,
    });
    const expected: StoredAnswer = {
      ...declined,
      answer: { pspStatus: 'DECLINED', errorCode: 'card_declined', errorMessage: 'Your card was declined.' },
    };
    expect(await memory.put('adyen:charge:k', declined)).toStrictEqual(expected);
    expect(await memory.get('adyen:charge:k')).toStrictEqual(expected);
  });

  it('lets exactly one of concurrent writers win, across instances, and gives all of them its answer', async () => {
    const prefix = freshPrefix();
    const one = mongoIdempotency(store.db, { collectionPrefix: prefix });
    const other = mongoIdempotency(restartedDb, { collectionPrefix: prefix });
    for (let round = 0; round < 10; round++) {
      const key = `stripe:charge:race-${round}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? one : other).put(key, stored(`w${i}`))),
      );
      const winners = new Set(results.map((r) => r.writer));
      expect(winners.size).toBe(1);
      for (const result of results) expect(result).toStrictEqual(results[0]);
      expect(
        await store.db.collection<AnswerDocument>(simulatorCollections(prefix).answers).countDocuments({ _id: key }),
      ).toBe(1);
    }
  });

  it('counts charges per payment order, shared by every instance over the database', async () => {
    const prefix = freshPrefix();
    const one = mongoIdempotency(store.db, { collectionPrefix: prefix });
    const other = mongoIdempotency(restartedDb, { collectionPrefix: prefix });
    await Promise.all([one.countCharge(orderId('o-1')), other.countCharge(orderId('o-1'))]);
    await one.countCharge(orderId('o-2'));
    expect(await other.charges(orderId('o-1'))).toBe(2);
    expect(await other.charges(orderId('o-2'))).toBe(1);
    expect(await one.charges(orderId('o-3'))).toBe(0);
  });

  it('keeps memories with different prefixes apart', async () => {
    const one = mongoIdempotency(store.db, { collectionPrefix: freshPrefix() });
    await one.put('stripe:charge:k', stored('a'));
    await one.countCharge(orderId('o-1'));
    const other = mongoIdempotency(store.db, { collectionPrefix: freshPrefix() });
    expect(await other.get('stripe:charge:k')).toBeUndefined();
    expect(await other.charges(orderId('o-1'))).toBe(0);
  });

  it('uses psp_sim_answers and psp_sim_charges unless told otherwise', () => {
    expect(simulatorCollections()).toEqual({ answers: 'psp_sim_answers', charges: 'psp_sim_charges' });
  });
});

describe('mongoIdempotency on a duplicate key from concurrent upserts', () => {
  // The stand-in serialises writes and never raises it; a real MongoDB can, so a stub raises it here.
  const duplicate = (): MongoServerError =>
    new MongoServerError({ message: 'E11000 duplicate key error', errmsg: 'E11000 duplicate key error', code: 11000 });
  const stubDb = (failures: number) => {
    let calls = 0;
    const doc: AnswerDocument = {
      _id: 'stripe:charge:k',
      psp: 'stripe',
      ...stored('winner'),
      storedAt: new Date(),
    };
    const collection = {
      findOneAndUpdate: () => (calls++ < failures ? Promise.reject(duplicate()) : Promise.resolve(doc)),
      updateOne: () => (calls++ < failures ? Promise.reject(duplicate()) : Promise.resolve({})),
    };
    return { db: { collection: () => collection } as unknown as Db, calls: () => calls };
  };

  it('tries once more and returns the stored answer', async () => {
    const stub = stubDb(1);
    expect(await mongoIdempotency(stub.db).put('stripe:charge:k', stored('loser'))).toStrictEqual(stored('winner'));
    expect(stub.calls()).toBe(2);
  });

  it('counts the charge on the second try', async () => {
    const stub = stubDb(1);
    const charged: string[] = [];
    await mongoIdempotency(stub.db, { onCharge: (psp) => charged.push(psp) }).countCharge(orderId('o-1'));
    expect(stub.calls()).toBe(2);
    expect(charged).toEqual(['unknown']);
  });

  it('gives up after the second duplicate key', async () => {
    const stub = stubDb(2);
    await expect(mongoIdempotency(stub.db).put('stripe:charge:k', stored('loser'))).rejects.toThrow(MongoServerError);
    expect(stub.calls()).toBe(2);
  });
});

describe.each(simulators)('$psp simulator over mongoIdempotency', ({ psp: pspName, simulator }) => {
  /** A memory over fresh collections, recording what it reports to onCharge. */
  const memoryFor = (db: Db, prefix: string) => {
    const charged: string[] = [];
    const opts: MongoIdempotencyOptions = { collectionPrefix: prefix, onCharge: (psp) => charged.push(psp) };
    return { memory: mongoIdempotency(db, opts), charged };
  };

  it('answers five concurrent calls with one key alike, stores one answer and charges once', async () => {
    const prefix = freshPrefix();
    const { memory, charged } = memoryFor(store.db, prefix);
    const psp = simulator(instant({}, { latencyMs: { min: 0, max: 5 }, memory }));
    const answers = await Promise.all(Array.from({ length: 5 }, () => psp.charge(chargeOf('o-1', 1), noDeadline())));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]?.pspStatus).toBe('SUCCESSFUL');
    const docs = store.db.collection<AnswerDocument>(simulatorCollections(prefix).answers);
    expect(await docs.countDocuments({ _id: `${pspName}:charge:o-1:1` })).toBe(1);
    expect(await memory.charges(orderId('o-1'))).toBe(1);
    expect(charged).toEqual([pspName]);
    const chargeDoc = await store.db
      .collection<ChargeDocument>(simulatorCollections(prefix).charges)
      .findOne({ _id: 'o-1' });
    expect(chargeDoc).toMatchObject({ count: 1, psps: { [pspName]: 1 } });
  });

  it('never charges an order twice for one key, whatever the key answers', async () => {
    const { memory, charged } = memoryFor(store.db, freshPrefix());
    const psp = simulator(
      instant({ decline: 0.3, serverError: 0.1, pending: 0.1 }, { latencyMs: { min: 0, max: 3 }, memory }),
    );
    const orders = Array.from({ length: 40 }, (_, i) => `o-${i}`);
    const successes = await Promise.all(
      orders.map(async (order) => {
        const answers = await Promise.all(
          Array.from({ length: 5 }, () => psp.charge(chargeOf(order, 1), noDeadline())),
        );
        expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
        const charges = await memory.charges(orderId(order));
        expect(charges).toBeLessThanOrEqual(1);
        expect(charges).toBe(answers[0]?.pspStatus === 'SUCCESSFUL' ? 1 : 0);
        return charges;
      }),
    );
    const total = successes.reduce((sum, n) => sum + n, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(orders.length);
    expect(charged).toEqual(Array.from({ length: total }, () => pspName));
  });

  it('gives the first answer again after a restart, and counts no new charge', async () => {
    const prefix = freshPrefix();
    const before = memoryFor(store.db, prefix);
    const first = await simulator(instant({}, { memory: before.memory })).charge(chargeOf('o-1', 1), noDeadline());
    expect(first.pspStatus).toBe('SUCCESSFUL');

    // A new executor process: its own connection, its own memory instance, its own simulator.
    const after = memoryFor(restartedDb, prefix);
    const psp = simulator(instant({}, { memory: after.memory }));
    const again = await Promise.all(Array.from({ length: 3 }, () => psp.charge(chargeOf('o-1', 1), noDeadline())));
    for (const answer of again) expect(answer).toEqual(first);
    expect(await psp.getStatus(first.pspReference ?? '', noDeadline())).toEqual(first);
    expect(await after.memory.charges(orderId('o-1'))).toBe(1);
    expect(before.charged).toEqual([pspName]);
    expect(after.charged).toEqual([]);
  });

  it('settles a pending payment once, and a restarted executor gets the same settlement', async () => {
    const prefix = freshPrefix();
    const before = memoryFor(store.db, prefix);
    const psp = simulator(instant({ pending: 1 }, { seed: 3, memory: before.memory }));
    const charged = await psp.charge(chargeOf('o-1', 1), noDeadline());
    expect(charged.pspStatus).toBe('PENDING');
    const reference = charged.pspReference ?? '';
    const settled = await Promise.all(Array.from({ length: 5 }, () => psp.getStatus(reference, noDeadline())));
    expect(settled[0]?.pspStatus).toBe('SUCCESSFUL');
    for (const answer of settled) expect(answer).toEqual(settled[0]);

    const after = memoryFor(restartedDb, prefix);
    const restarted = simulator(instant({ pending: 1 }, { seed: 3, memory: after.memory }));
    expect(await restarted.getStatus(reference, noDeadline())).toEqual(settled[0]);
    expect(await restarted.charge(chargeOf('o-1', 1), noDeadline())).toEqual(charged);
    expect(await after.memory.charges(orderId('o-1'))).toBe(1);
    expect([...before.charged, ...after.charged]).toEqual([pspName]);
  });

  it('charges once per successful attempt, readable per order', async () => {
    const { memory, charged } = memoryFor(store.db, freshPrefix());
    const psp = simulator(instant({}, { memory }));
    await psp.charge(chargeOf('o-1', 1), noDeadline());
    await psp.charge(chargeOf('o-1', 2), noDeadline());
    await psp.charge(chargeOf('o-2', 1), noDeadline());
    expect(await memory.charges(orderId('o-1'))).toBe(2);
    expect(await memory.charges(orderId('o-2'))).toBe(1);
    expect(await memory.charges(orderId('o-3'))).toBe(0);
    expect(charged).toEqual([pspName, pspName, pspName]);
  });

  it('charges once when a call aborted before the answer is retried with its key', async () => {
    const { memory } = memoryFor(store.db, freshPrefix());
    const sim = instant({}, { latencyMs: { min: 50, max: 50 }, memory });
    const psp = simulator(sim);
    await expect(psp.charge(chargeOf('o-1', 1), AbortSignal.timeout(5))).rejects.toThrow();
    const answer = await psp.charge(chargeOf('o-1', 1), noDeadline());
    expect(answer.pspStatus).toBe('SUCCESSFUL');
    expect(await memory.charges(orderId('o-1'))).toBe(1);
  });
});

describe('both simulators over one memory, as the executor shares it', () => {
  it('counts each PSP’s charges under its own name, and the total per order', async () => {
    const prefix = freshPrefix();
    const charged: string[] = [];
    const memory = mongoIdempotency(store.db, { collectionPrefix: prefix, onCharge: (psp) => charged.push(psp) });
    const sim = instant({}, { latencyMs: { min: 0, max: 5 }, memory });
    const [stripe, adyen] = [simulators[0].simulator(sim), simulators[1].simulator(sim)];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => [
        stripe.charge(chargeOf(`o-${i}`, 1), noDeadline()),
        adyen.charge(chargeOf(`o-${i}`, 2), noDeadline()),
      ]).flat(),
    );
    expect(charged.filter((p) => p === 'stripe')).toHaveLength(10);
    expect(charged.filter((p) => p === 'adyen')).toHaveLength(10);
    const docs = store.db.collection<ChargeDocument>(simulatorCollections(prefix).charges);
    for (let i = 0; i < 10; i++) {
      expect(await memory.charges(orderId(`o-${i}`))).toBe(2);
      expect(await docs.findOne({ _id: `o-${i}` })).toMatchObject({ count: 2, psps: { stripe: 1, adyen: 1 } });
    }
  });
});
