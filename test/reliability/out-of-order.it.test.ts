import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { runWorker } from '../../src/cli/run-worker.js';
import type { PaymentOrderId, PspResultUpdateEvent } from '../../src/codecs/index.js';
import type { PaymentOrderDocument } from '../../src/state/index.js';
import { insertInitiatedOrders, publish, seededRandom, waitForCommitted } from '../support/psp-results.js';
import { testLogger, uniqueName, useRealStack } from '../support/real-stack.js';
import {
  distinctPermutations,
  identityOf,
  replay,
  type OracleOutcome,
  type OraclePspStatus,
  type OracleResult,
} from '../support/transition-oracle.js';
import { workerTestConfig, workerTestEnv, workerTopics } from '../support/worker-config.js';

const base = Date.UTC(2026, 10, 25, 12, 0, 0);
const r = (pspStatus: OraclePspStatus, second: number, pspReference = `ref-${second}`): OracleResult => ({
  pspStatus,
  eventTime: new Date(base + second * 1000),
  pspReference,
});

/** Sets of results for one order, with distinct event times; every arrival order of each is tried. */
const resultSets: Readonly<Record<string, readonly OracleResult[]>> = {
  'pending-success-transient': [r('PENDING', 1), r('SUCCESSFUL', 2), r('FAILED_TRANSIENT', 3)],
  'auth-capture-declined': [r('AUTH_REQUIRED', 1), r('CAPTURE_PENDING', 2), r('DECLINED', 3)],
  'timeout-timeout-success': [r('TIMEOUT', 1, 'a'), r('TIMEOUT', 2, 'b'), r('SUCCESSFUL', 3)],
  'stages-and-unknown': [r('PENDING', 1), r('AUTH_REQUIRED', 2), r('CAPTURE_PENDING', 3), r('UNKNOWN', 4)],
  'unknown-pending-timeout-declined': [r('UNKNOWN', 1), r('PENDING', 2), r('TIMEOUT', 3), r('DECLINED', 4)],
  'old-final-among-newer': [r('SUCCESSFUL', 1), r('PSP_UNAVAILABLE', 2), r('CAPTURE_PENDING', 3)],
  'two-finals': [r('SUCCESSFUL', 1), r('FAILED', 2), r('AUTH_REQUIRED', 3)],
  'retry-then-stages': [r('FAILED_TRANSIENT', 1), r('CAPTURE_PENDING', 2), r('PENDING', 3), r('AUTH_REQUIRED', 4)],
  'five-retryables': [
    r('TIMEOUT', 1),
    r('PSP_UNAVAILABLE', 2),
    r('FAILED_TRANSIENT', 3),
    r('TIMEOUT', 4),
    r('TIMEOUT', 5),
  ],
};

/** The set with one of its results (or, `times` = 2, one result twice more) delivered again. */
const withRepeats = (set: readonly OracleResult[], times: number): readonly (readonly OracleResult[])[] =>
  set.map((repeated) => [...set, ...Array.from({ length: times }, () => repeated)]);

const arrivalOrders = (): readonly { readonly set: string; readonly arrivals: readonly OracleResult[] }[] =>
  Object.entries(resultSets).flatMap(([name, set]) => {
    const multisets = [
      set,
      ...(set.length <= 4 && !name.startsWith('unknown') ? withRepeats(set, 1) : []),
      ...(name === 'pending-success-transient' ? withRepeats(set, 2) : []),
    ];
    return multisets.flatMap((m) => distinctPermutations(m).map((arrivals) => ({ set: name, arrivals })));
  });

interface PlannedArrival {
  readonly id: PaymentOrderId;
  readonly set: string;
  readonly arrivals: readonly OracleResult[];
  readonly expected: OracleOutcome;
}

const eventOf = (id: PaymentOrderId, result: OracleResult): PspResultUpdateEvent => ({ paymentOrderId: id, ...result });

/** Orders' arrivals interleaved at random, each order's own arrival order kept. */
const interleave = (orders: readonly PlannedArrival[], random: () => number): readonly PspResultUpdateEvent[] => {
  const queues = orders.map((o) => o.arrivals.map((a) => eventOf(o.id, a)));
  const out: PspResultUpdateEvent[] = [];
  while (queues.length > 0) {
    const i = Math.floor(random() * queues.length);
    const queue = queues[i] as PspResultUpdateEvent[];
    out.push(queue.shift() as PspResultUpdateEvent);
    if (queue.length === 0) queues.splice(i, 1);
  }
  return out;
};

const verdictOf = (outcome: string): string =>
  outcome === 'stale' || outcome === 'invalid-transition' ? 'ignored' : outcome;

/** What differs between the stored order and the oracle's replay of the order's arrivals. */
const mismatchOf = (order: PlannedArrival, doc: PaymentOrderDocument | undefined): string | undefined => {
  if (doc === undefined) return `${order.id}: missing`;
  const entries = doc.history.flatMap((h) => (h.kind === 'psp-result' ? [h] : []));
  const recorded = order.expected.steps.filter((s) => s.verdict !== 'duplicate');
  const actual = {
    status: doc.status,
    attempts: doc.attempts,
    lastEventTime: doc.lastEventTime?.toISOString(),
    history: entries.map((h) => [
      identityOf({ pspStatus: h.pspStatus, eventTime: h.eventTime, pspReference: h.pspReference ?? '' }),
      verdictOf(h.outcome),
      h.to,
    ]),
  };
  const expected = {
    status: order.expected.status,
    attempts: order.expected.attempts,
    lastEventTime: order.expected.lastEventTime?.toISOString(),
    history: recorded.map((s) => [identityOf(s.result), s.verdict, s.status]),
  };
  const arrived = order.arrivals.map((a) => `${a.pspStatus}@${(a.eventTime.getTime() - base) / 1000}`).join(', ');
  return JSON.stringify(actual) === JSON.stringify(expected)
    ? undefined
    : `${order.set} [${arrived}]: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
};

const findOrders = async (db: Db, ids: readonly string[]): Promise<Map<string, PaymentOrderDocument>> => {
  const docs = await db
    .collection<PaymentOrderDocument>('payment_orders')
    .find({ _id: { $in: ids as PaymentOrderId[] } })
    .toArray();
  return new Map(docs.map((d) => [d._id as string, d]));
};

describe('results arriving in any order, through Kafka to the worker', () => {
  const stack = useRealStack();
  const { admin, producer } = stack;

  it('leaves every order as the oracle says for its arrival order, with one audit entry per distinct result', async () => {
    const names = await workerTopics(admin, 'ooo', stack.store.db.databaseName);
    const prefix = uniqueName('ooo');
    const orders = arrivalOrders().map(({ set, arrivals }, i): PlannedArrival => ({
      id: `${prefix}-${i}` as PaymentOrderId,
      set,
      arrivals,
      expected: replay(arrivals),
    }));
    const events = interleave(orders, seededRandom(20261125));
    // In every set, arrival order changes what happens (final state or which results are ignored).
    for (const set of Object.keys(resultSets)) {
      const outcomes = orders
        .filter((o) => o.set === set)
        .map((o) => JSON.stringify([o.expected.status, o.expected.attempts, o.expected.steps.map((s) => s.verdict)]));
      expect(new Set(outcomes).size, set).toBeGreaterThan(1);
    }
    await insertInitiatedOrders(
      stack.store.db,
      orders.map((o) => o.id),
    );
    await publish(producer, names.topic, events);

    const started = Date.now();
    const worker = await runWorker(workerTestConfig(workerTestEnv(names)), testLogger);
    await waitForCommitted(admin, names.group, names.topic, 90_000);
    await worker.stop();
    await worker.done;
    console.log(`${orders.length} orders, ${events.length} results applied in ${(Date.now() - started) / 1000} s`);

    const docs = await findOrders(
      stack.store.db,
      orders.map((o) => o.id),
    );
    const wrong = orders.flatMap((o) => mismatchOf(o, docs.get(o.id)) ?? []);
    expect(wrong.slice(0, 5)).toEqual([]);
    const dlq = await admin.fetchTopicOffsets(names.dlq);
    expect(dlq.map((p) => Number(p.high))).toEqual([0]);
  });
});
