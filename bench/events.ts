import kafkajs, { type PartitionMetadata } from 'kafkajs';
import type { PaymentOrderId, PspResultUpdateEvent, PspStatus } from '../src/codecs/index.js';
import type { OrderStatus, PaymentOrderDocument } from '../src/state/index.js';

/**
 * The event mix of every run: the lifecycles a PSP really reports (the same hand-written scenarios as the
 * integration tests, each with the final status it must lead to), ~20% of results published twice, and
 * orders interleaved within a window of concurrently active orders.
 */
export interface Scenario {
  readonly name: string;
  readonly statuses: readonly PspStatus[];
  readonly finalStatus: OrderStatus;
  readonly attempts: number;
}

/** Oracle outcomes assume the worker's default MAX_ATTEMPTS=5. */
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
const declined = scenarios[1] as Scenario;

export interface PlannedOrder {
  readonly id: PaymentOrderId;
  readonly scenario: Scenario;
  readonly events: readonly PspResultUpdateEvent[];
}

export interface EventPlan {
  readonly orders: readonly PlannedOrder[];
  /** Publication order; a duplicate is the very same object as its first copy. */
  readonly events: readonly PspResultUpdateEvent[];
  readonly duplicates: number;
}

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

const plannedOrder = (i: number, prefix: string, scenario: Scenario): PlannedOrder => {
  const id = `${prefix}-${i}` as PaymentOrderId;
  const start = Date.UTC(2026, 10, 25, 10, 0, 0) + i;
  const events = scenario.statuses.map((pspStatus, n): PspResultUpdateEvent => ({
    paymentOrderId: id,
    pspStatus,
    pspReference: `psp-${prefix}-${i}`,
    eventTime: new Date(start + n * 1000),
    ...(pspStatus === 'UNKNOWN' ? { errorCode: 'psp_unknown', errorMessage: 'PSP gave no answer yet' } : {}),
    ...(pspStatus === 'TIMEOUT' || pspStatus === 'FAILED_TRANSIENT' ? { errorCode: 'psp_timeout' } : {}),
  }));
  return { id, scenario, events };
};

/** An order's publication sequence: its results in order, each sent again later with `duplicateShare`. */
const sequenceOf = (order: PlannedOrder, duplicateShare: number, random: () => number): PspResultUpdateEvent[] => {
  const sequence = [...order.events];
  for (const e of order.events) {
    if (random() >= duplicateShare) continue;
    const first = sequence.indexOf(e);
    sequence.splice(first + 1 + Math.floor(random() * (sequence.length - first)), 0, e);
  }
  return sequence;
};

export interface PlanOptions {
  readonly prefix: string;
  readonly seed: number;
  /** Exactly this many events (the last orders are filled with one-event orders), or… */
  readonly events?: number;
  /** …exactly this many orders. */
  readonly orders?: number;
  readonly duplicateShare?: number;
  /** Orders in progress at once: an order's results are spread over about window × 2.7 events. */
  readonly window?: number;
}

export const planEvents = (opts: PlanOptions): EventPlan => {
  const random = seededRandom(opts.seed);
  const duplicateShare = opts.duplicateShare ?? 0.2;
  const orders: PlannedOrder[] = [];
  const sequences: PspResultUpdateEvent[][] = [];
  let total = 0;
  const want = opts.events;
  for (let i = 0; opts.orders === undefined ? total < (want ?? 0) : i < opts.orders; i++) {
    let scenario = scenarios[Math.floor(random() * scenarios.length) % scenarios.length] as Scenario;
    let order = plannedOrder(i, opts.prefix, scenario);
    let sequence = sequenceOf(order, duplicateShare, random);
    if (want !== undefined && opts.orders === undefined && total + sequence.length > want) {
      scenario = declined;
      order = plannedOrder(i, opts.prefix, scenario);
      sequence = [...order.events];
    }
    orders.push(order);
    sequences.push(sequence);
    total += sequence.length;
  }

  const window = opts.window ?? 10_000;
  const out: PspResultUpdateEvent[] = [];
  const active: { readonly events: PspResultUpdateEvent[]; next: number }[] = [];
  let admitted = 0;
  const admit = (): void => {
    const events = sequences[admitted++];
    if (events !== undefined) active.push({ events, next: 0 });
  };
  while (active.length < window && admitted < sequences.length) admit();
  while (active.length > 0) {
    const i = Math.floor(random() * active.length);
    const q = active[i] as (typeof active)[number];
    out.push(q.events[q.next++] as PspResultUpdateEvent);
    if (q.next === q.events.length) {
      active[i] = active[active.length - 1] as (typeof active)[number];
      active.pop();
      if (admitted < sequences.length) admit();
    }
  }
  const distinct = orders.reduce((n, o) => n + o.events.length, 0);
  return { orders, events: out, duplicates: out.length - distinct };
};

/** The order document every run starts from, as the executor creates it. */
export const initiatedDoc = (id: PaymentOrderId, now: Date): PaymentOrderDocument => ({
  _id: id,
  status: 'INITIATED',
  attempts: 0,
  version: 0,
  createdAt: now,
  updatedAt: now,
  history: [{ key: `created:${id}`, kind: 'created', outcome: 'applied', to: 'INITIATED', appliedAt: now }],
});

const partitioner = kafkajs.Partitioners.DefaultPartitioner();
const metadataOf = new Map<number, PartitionMetadata[]>();

/** The partition kafkajs' (Java-compatible) default partitioner gives a key: the store-only run uses the same lanes. */
export const partitionOf = (key: string, partitions: number): number => {
  let metadata = metadataOf.get(partitions);
  if (metadata === undefined) {
    metadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      partitionErrorCode: 0,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
    metadataOf.set(partitions, metadata);
  }
  return partitioner({ topic: 'bench', partitionMetadata: metadata, message: { key, value: null } });
};

/** Orders whose stored status or attempts differ from their scenario's oracle. */
export const oracleMismatches = (
  orders: readonly PlannedOrder[],
  stored: ReadonlyMap<string, Pick<PaymentOrderDocument, 'status' | 'attempts'>>,
): { readonly count: number; readonly examples: readonly string[] } => {
  const wrong: string[] = [];
  for (const o of orders) {
    const doc = stored.get(o.id);
    if (doc?.status !== o.scenario.finalStatus || doc.attempts !== o.scenario.attempts) {
      wrong.push(`${o.id} ${o.scenario.name}: ${doc?.status ?? 'missing'} attempts ${doc?.attempts ?? '-'}`);
    }
  }
  return { count: wrong.length, examples: wrong.slice(0, 3) };
};
