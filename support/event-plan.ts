import type { PaymentOrderId, PspResultUpdateEvent, PspStatus } from '../src/codecs/index.js';
import type { OrderStatus, PaymentOrderDocument } from '../src/state/index.js';

/**
 * The lifecycles a PSP really reports, each with the final status and attempt count its results lead to: the
 * hand-written oracle that the integration tests and the benchmark both publish and check.
 */
export interface Scenario {
  readonly name: string;
  readonly statuses: readonly PspStatus[];
  readonly finalStatus: OrderStatus;
  readonly attempts: number;
}

/** Outcomes assume the worker's default MAX_ATTEMPTS=5. */
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

export const pickScenario = (random: () => number): Scenario =>
  scenarios[Math.floor(random() * scenarios.length) % scenarios.length] as Scenario;

export interface PlannedOrder {
  readonly id: PaymentOrderId;
  readonly scenario: Scenario;
  readonly events: readonly PspResultUpdateEvent[];
}

/** Order `i` of a run: its scenario's results one second apart, with the error codes a PSP would give. */
export const plannedOrder = (i: number, prefix: string, scenario: Scenario): PlannedOrder => {
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

/** An order's publication sequence: its results in order, each sent a second time later with `duplicateShare`. */
export const withDuplicates = (
  order: PlannedOrder,
  duplicateShare: number,
  random: () => number,
): PspResultUpdateEvent[] => {
  const sequence = [...order.events];
  for (const e of order.events) {
    if (random() >= duplicateShare) continue;
    const first = sequence.indexOf(e);
    sequence.splice(first + 1 + Math.floor(random() * (sequence.length - first)), 0, e);
  }
  return sequence;
};

/**
 * Merges the sequences at random, each kept in its own order, with at most `window` of them in progress at once
 * (a sequence starts when an earlier one has ended), as concurrently active orders interleave on a topic.
 */
export const interleave = (
  sequences: readonly (readonly PspResultUpdateEvent[])[],
  window: number,
  random: () => number,
): PspResultUpdateEvent[] => {
  const out: PspResultUpdateEvent[] = [];
  const active: { readonly events: readonly PspResultUpdateEvent[]; next: number }[] = [];
  let admitted = 0;
  const admit = (): void => {
    const events = sequences[admitted++];
    if (events !== undefined && events.length > 0) active.push({ events, next: 0 });
  };
  while (active.length < window && admitted < sequences.length) admit();
  while (active.length > 0) {
    const i = Math.floor(random() * active.length);
    const q = active[i] as (typeof active)[number];
    out.push(q.events[q.next++] as PspResultUpdateEvent);
    if (q.next === q.events.length) {
      active[i] = active[active.length - 1] as (typeof active)[number];
      active.pop();
      while (active.length < window && admitted < sequences.length) admit();
    }
  }
  return out;
};

/** The order document every run starts from, as order intake creates it (without the amount it does not need). */
export const initiatedDoc = (id: PaymentOrderId, now: Date): PaymentOrderDocument => ({
  _id: id,
  status: 'INITIATED',
  attempts: 0,
  version: 0,
  createdAt: now,
  updatedAt: now,
  history: [{ key: `created:${id}`, kind: 'created', outcome: 'applied', to: 'INITIATED', appliedAt: now }],
});

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
