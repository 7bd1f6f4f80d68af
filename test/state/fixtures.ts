import fc from 'fast-check';
import { PaymentOrderId, pspStatuses } from '../../src/codecs/index.js';
import type { PspResultUpdateEvent, PspStatus } from '../../src/codecs/index.js';
import { applyPspResult } from '../../src/state/index.js';
import type { Outcome, PaymentOrderDocument, ResultSource, RetryPolicy } from '../../src/state/index.js';

export const orderId = (s: string): PaymentOrderId => {
  if (!PaymentOrderId.is(s)) throw new Error(`not a payment order id: ${s}`);
  return s;
};

export const epoch = Date.parse('2026-11-25T10:00:00.000Z');
export const at = (seconds: number): Date => new Date(epoch + seconds * 1000);

/** The clock every test injects, so the model and the store stamp the same `appliedAt`/`updatedAt`. */
export const fixedNow = new Date('2026-11-25T12:00:00.000Z');
export const fixedClock = (): Date => fixedNow;

export const finalStatuses = ['SUCCESSFUL', 'DECLINED', 'FAILED'] as const satisfies readonly PspStatus[];
export const retryableStatuses = [
  'TIMEOUT',
  'PSP_UNAVAILABLE',
  'FAILED_TRANSIENT',
] as const satisfies readonly PspStatus[];

export const initiated = (id: PaymentOrderId, createdAt: Date = at(-60)): PaymentOrderDocument => ({
  _id: id,
  status: 'INITIATED',
  attempts: 0,
  version: 0,
  createdAt,
  updatedAt: createdAt,
  history: [],
});

export const source = (offset: number, partition = 0, topic = 'psp-results'): ResultSource => ({
  topic,
  partition,
  offset: String(offset),
});

export interface Step {
  readonly event: PspResultUpdateEvent;
  readonly source: ResultSource;
}

/** The pure model folded over a sequence of results, with every intermediate status and outcome. */
export const fold = (
  start: PaymentOrderDocument | null,
  steps: readonly Step[],
  policy: RetryPolicy,
  now: Date = fixedNow,
): {
  readonly doc: PaymentOrderDocument | null;
  readonly outcomes: readonly Outcome[];
  readonly trace: readonly (PaymentOrderDocument | null)[];
} => {
  let doc = start;
  const outcomes: Outcome[] = [];
  const trace: (PaymentOrderDocument | null)[] = [start];
  for (const { event, source: src } of steps) {
    const r = applyPspResult(doc, event, src, policy, now);
    doc = r.doc;
    outcomes.push(r.outcome);
    trace.push(doc);
  }
  return { doc, outcomes, trace };
};

/**
 * Events for one order, drawn from a small pool of instants and references so that equal event times,
 * out-of-order times and same-key republications all happen often.
 */
export const eventFor = (
  id: PaymentOrderId,
  statuses: fc.Arbitrary<PspStatus> = fc.constantFrom(...pspStatuses),
): fc.Arbitrary<PspResultUpdateEvent> =>
  fc
    .record({
      pspStatus: statuses,
      t: fc.integer({ min: 0, max: 12 }),
      pspReference: fc.option(fc.constantFrom('ref-a', 'ref-b'), { nil: undefined }),
      errorCode: fc.option(fc.constantFrom('E1', 'E2'), { nil: undefined }),
      errorMessage: fc.option(fc.constantFrom('', 'try again'), { nil: undefined }),
    })
    .map(({ pspStatus, t, pspReference, errorCode, errorMessage }) => ({
      paymentOrderId: id,
      pspStatus,
      eventTime: at(t),
      ...(pspReference === undefined ? {} : { pspReference }),
      ...(errorCode === undefined ? {} : { errorCode }),
      ...(errorMessage === undefined ? {} : { errorMessage }),
    }));

/** Statuses weighted towards retryable and check-later ones, so retries get exhausted now and then. */
export const retryHeavy: fc.Arbitrary<PspStatus> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...retryableStatuses) },
  { weight: 2, arbitrary: fc.constantFrom<PspStatus>('PENDING', 'AUTH_REQUIRED', 'CAPTURE_PENDING', 'UNKNOWN') },
  { weight: 1, arbitrary: fc.constantFrom(...pspStatuses) },
);

/**
 * A sequence of events for one order: event times mostly move forward, about a quarter of them fall
 * back behind earlier ones, and about a fifth of the events repeat an earlier one.
 */
export const eventSequence = (
  id: PaymentOrderId,
  opts: { readonly minLength: number; readonly maxLength: number },
): fc.Arbitrary<readonly PspResultUpdateEvent[]> =>
  fc
    .tuple(
      fc.oneof(fc.constant(fc.constantFrom(...pspStatuses)), fc.constant(retryHeavy)),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 99 }), fc.integer({ min: 1, max: 4 })), opts),
    )
    .chain(([statuses, plan]) =>
      fc.tuple(fc.constant(plan), fc.array(eventFor(id, statuses), { minLength: plan.length, maxLength: plan.length })),
    )
    .map(([plan, fresh]) => {
      const out: PspResultUpdateEvent[] = [];
      plan.forEach(([pick, roll, back], i) => {
        const earlier = out.length > 0 && roll < 20 ? out[pick % out.length] : undefined;
        const event = fresh[i] as PspResultUpdateEvent;
        const late = roll >= 75;
        out.push(earlier ?? { ...event, eventTime: at(2 * i - (late ? back : 0)) });
      });
      return out;
    });
