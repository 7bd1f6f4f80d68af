import type { Admin, Producer } from 'kafkajs';
import type { Db } from 'mongodb';
import {
  encodePspResultUpdate,
  type PaymentOrderId,
  type PspResultUpdateEvent,
  type PspStatus,
} from '../../src/codecs/index.js';
import type { PaymentOrderDocument } from '../../src/state/index.js';

/** A hand-written oracle: each scenario says which final status and attempt count its results lead to. */
export interface Scenario {
  readonly name: string;
  readonly statuses: readonly PspStatus[];
  readonly finalStatus: PaymentOrderDocument['status'];
  readonly attempts: number;
}

export const scenarios: readonly Scenario[] = [
  { name: 'success', statuses: ['PENDING', 'SUCCESSFUL'], finalStatus: 'SUCCESSFUL', attempts: 0 },
  { name: 'declined', statuses: ['DECLINED'], finalStatus: 'DECLINED', attempts: 0 },
  {
    name: 'retry-then-success',
    statuses: ['FAILED_TRANSIENT', 'TIMEOUT', 'SUCCESSFUL'],
    finalStatus: 'SUCCESSFUL',
    attempts: 2,
  },
  {
    name: 'retries-exhausted',
    statuses: ['TIMEOUT', 'PSP_UNAVAILABLE', 'TIMEOUT', 'FAILED_TRANSIENT', 'TIMEOUT'],
    finalStatus: 'FAILED',
    attempts: 5,
  },
  { name: 'late-after-final', statuses: ['SUCCESSFUL', 'PENDING'], finalStatus: 'SUCCESSFUL', attempts: 0 },
  {
    name: 'auth-then-capture',
    statuses: ['AUTH_REQUIRED', 'CAPTURE_PENDING'],
    finalStatus: 'CAPTURE_PENDING',
    attempts: 0,
  },
  { name: 'unknown', statuses: ['UNKNOWN'], finalStatus: 'PENDING', attempts: 0 },
];

export interface PlannedOrder {
  readonly id: PaymentOrderId;
  readonly scenario: Scenario;
  readonly events: readonly PspResultUpdateEvent[];
}

/** A small seeded generator, so a failing run can be replayed. */
export const seededRandom = (seed: number): (() => number) => {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export const planOrders = (count: number, prefix: string, random: () => number): readonly PlannedOrder[] =>
  Array.from({ length: count }, (_, i) => {
    const scenario = scenarios[Math.floor(random() * scenarios.length) % scenarios.length] as Scenario;
    const id = `${prefix}-${i}` as PaymentOrderId;
    const start = Date.UTC(2026, 10, 25, 10, 0, 0) + i;
    const events = scenario.statuses.map((pspStatus, n): PspResultUpdateEvent => ({
      paymentOrderId: id,
      pspStatus,
      pspReference: `psp-${i}`,
      eventTime: new Date(start + n * 1000),
      ...(pspStatus === 'UNKNOWN' ? { errorCode: 'psp_unknown' } : {}),
    }));
    return { id, scenario, events };
  });

/**
 * The order of publication: each order's results in their own order, orders interleaved at random, and
 * `duplicateShare` of the results sent a second time somewhere after the first.
 */
export const publicationOrder = (
  orders: readonly PlannedOrder[],
  duplicateShare: number,
  random: () => number,
): readonly PspResultUpdateEvent[] => {
  const queues = orders.map((o) => {
    const sequence = [...o.events];
    for (const e of o.events) {
      if (random() >= duplicateShare) continue;
      const first = sequence.indexOf(e);
      sequence.splice(first + 1 + Math.floor(random() * (sequence.length - first)), 0, e);
    }
    return sequence;
  });
  const out: PspResultUpdateEvent[] = [];
  const live = queues.filter((q) => q.length > 0);
  while (live.length > 0) {
    const i = Math.floor(random() * live.length);
    const q = live[i] as PspResultUpdateEvent[];
    out.push(q.shift() as PspResultUpdateEvent);
    if (q.length === 0) live.splice(i, 1);
  }
  return out;
};

export const insertInitiatedOrders = async (db: Db, ids: readonly PaymentOrderId[]): Promise<void> => {
  const now = new Date();
  const docs = ids.map((id): PaymentOrderDocument => ({
    _id: id,
    status: 'INITIATED',
    attempts: 0,
    version: 0,
    createdAt: now,
    updatedAt: now,
    history: [{ key: `created:${id}`, kind: 'created', outcome: 'applied', to: 'INITIATED', appliedAt: now }],
  }));
  for (let i = 0; i < docs.length; i += 1000) {
    await db.collection<PaymentOrderDocument>('payment_orders').insertMany(docs.slice(i, i + 1000));
  }
};

export const publish = async (
  producer: Producer,
  topic: string,
  events: readonly PspResultUpdateEvent[],
): Promise<void> => {
  for (let i = 0; i < events.length; i += 500) {
    await producer.send({
      topic,
      acks: -1,
      messages: events.slice(i, i + 500).map((e) => encodePspResultUpdate(e)),
    });
  }
};

/** Resolves once the group has committed every partition up to its high watermark. */
export const waitForCommitted = async (
  admin: Admin,
  groupId: string,
  topic: string,
  timeoutMs: number,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const byPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const behind = ends.reduce(
      (sum, p) => sum + Math.max(0, Number(p.high) - Math.max(0, byPartition.get(p.partition) ?? 0)),
      0,
    );
    if (behind === 0) return;
    if (Date.now() > deadline)
      throw new Error(`group ${groupId} still ${behind} messages behind after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
};
