import type { PspResultUpdateEvent } from '../codecs/index.js';
import { eventKeyOf } from '../codecs/index.js';
import type { Outcome } from './outcome.js';
import type { PaymentOrderDocument, ResultSource } from './payment-order.js';
import { decide, type RetryPolicy } from './transition-table.js';
import { transitionEffect, type TransitionEffect } from './transition-effect.js';

/** Applies an effect to a document in memory, as the MongoDB update does in the store. */
export const applyEffect = (doc: PaymentOrderDocument, effect: TransitionEffect, now: Date): PaymentOrderDocument => {
  const lastEventTime =
    effect.eventTime === undefined || (doc.lastEventTime !== undefined && doc.lastEventTime > effect.eventTime)
      ? doc.lastEventTime
      : effect.eventTime;
  return {
    ...doc,
    ...effect.fields,
    status: effect.to,
    attempts: doc.attempts + effect.attemptsIncrement,
    version: doc.version + 1,
    ...(lastEventTime === undefined ? {} : { lastEventTime }),
    updatedAt: now,
    history: [...doc.history, effect.entry],
  };
};

export type Resolution =
  | { readonly _tag: 'Done'; readonly outcome: Outcome }
  | { readonly _tag: 'Write'; readonly effect: TransitionEffect; readonly outcome: Outcome };

/**
 * Decides what a result does to an order as it stands: nothing (duplicate, unknown order), or one write
 * that either applies it or records why it was ignored.
 */
export const resolvePspResult = (
  doc: PaymentOrderDocument | null,
  event: PspResultUpdateEvent,
  source: ResultSource,
  policy: RetryPolicy,
  now: Date,
  /** `eventKeyOf(event)`, when the caller has it already. */
  key: string = eventKeyOf(event),
): Resolution => {
  if (doc === null) return { _tag: 'Done', outcome: { _tag: 'UnknownOrder' } };
  if (doc.history.some((h) => h.key === key)) return { _tag: 'Done', outcome: { _tag: 'Duplicate' } };
  const decision = decide(doc, event, policy);
  const base = { event, key, source, now };
  switch (decision._tag) {
    case 'Transition':
      return {
        _tag: 'Write',
        outcome: { _tag: 'Applied', to: decision.to, ...(decision.reason ? { reason: decision.reason } : {}) },
        effect: transitionEffect({
          ...base,
          outcome: 'Applied',
          to: decision.to,
          attemptsIncrement: decision.attempts - doc.attempts,
          reason: decision.reason,
          attempts: decision.attempts,
          schedule: policy.schedule,
        }),
      };
    case 'IgnoredTerminal':
      return {
        _tag: 'Write',
        outcome: { _tag: 'IgnoredTerminal', status: doc.status },
        effect: transitionEffect({ ...base, outcome: 'IgnoredTerminal', to: doc.status, attemptsIncrement: 0 }),
      };
    case 'Stale':
      return {
        _tag: 'Write',
        outcome: { _tag: 'Stale' },
        effect: transitionEffect({ ...base, outcome: 'Stale', to: doc.status, attemptsIncrement: 0 }),
      };
    case 'InvalidTransition':
      return {
        _tag: 'Write',
        outcome: { _tag: 'InvalidTransition', status: doc.status },
        effect: transitionEffect({ ...base, outcome: 'InvalidTransition', to: doc.status, attemptsIncrement: 0 }),
      };
  }
};

/** The in-memory model of `processPspResult`: what the store must end up holding. */
export const applyPspResult = (
  doc: PaymentOrderDocument | null,
  event: PspResultUpdateEvent,
  source: ResultSource,
  policy: RetryPolicy,
  now: Date,
): { readonly doc: PaymentOrderDocument | null; readonly outcome: Outcome } => {
  const r = resolvePspResult(doc, event, source, policy, now);
  return r._tag === 'Write' && doc !== null
    ? { doc: applyEffect(doc, r.effect, now), outcome: r.outcome }
    : { doc, outcome: r.outcome };
};
