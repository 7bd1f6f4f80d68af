import type { Filter, UpdateFilter } from 'mongodb';
import type { PspResultUpdateEvent } from '../codecs/index.js';
import type { OrderStatus, TerminalStatus } from './order-status.js';
import type { PaymentOrderDocument, ResultSource } from './payment-order.js';
import { intentOf, optimisticGuard, type RetryPolicy } from './transition-table.js';
import { transitionEffect, type TransitionEffect } from './transition-effect.js';

export type OrderFilter = Filter<PaymentOrderDocument>;
export type OrderUpdate = UpdateFilter<PaymentOrderDocument>;

export const updateOf = (effect: TransitionEffect, now: Date): OrderUpdate => {
  const $set = { status: effect.to, updatedAt: now, ...effect.fields };
  const $inc = effect.attemptsIncrement === 0 ? { version: 1 } : { version: 1, attempts: effect.attemptsIncrement };
  const $push = { history: effect.entry };
  // The same operators in the same order as ever, without intermediate spreads (one update per write built).
  return effect.eventTime === undefined
    ? { $set, $inc, $push }
    : { $set, $inc, $max: { lastEventTime: effect.eventTime }, $push };
};

export interface ConditionalWrite {
  readonly filter: OrderFilter;
  readonly update: OrderUpdate;
  readonly effect: TransitionEffect;
}

/**
 * The happy path's one round trip: the transition the result asks for, guarded so that it matches only an
 * order for which the transition table gives exactly this transition, and only once per event key. A retry
 * that schedules its next attempt has a backoff that depends on the attempts so far: it is written as one
 * alternative per attempts count, each with its own `nextRetryAt`. The alternatives go in the same bulk
 * write; at most one matches, as each pushes the event key that the others' filters exclude.
 */
export interface OptimisticWrite {
  /** Where the order goes when an alternative matched. */
  readonly to: OrderStatus;
  readonly alternatives: readonly ConditionalWrite[];
}

/** What every alternative of one optimistic write shares. */
interface Applied {
  readonly event: PspResultUpdateEvent;
  readonly key: string;
  readonly source: ResultSource;
  readonly now: Date;
  readonly to: OrderStatus;
  readonly attemptsIncrement: number;
  readonly schedule: RetryPolicy['schedule'];
  readonly base: OrderFilter;
}

// A module-level function rather than a closure per call: this runs for every result.
const alternative = (a: Applied, attempts: OrderFilter['attempts'], attemptsAfter?: number): ConditionalWrite => {
  const effect = transitionEffect({
    event: a.event,
    key: a.key,
    source: a.source,
    now: a.now,
    outcome: 'Applied',
    to: a.to,
    attemptsIncrement: a.attemptsIncrement,
    attempts: attemptsAfter,
    schedule: a.schedule,
  });
  return {
    filter: attempts === undefined ? a.base : { ...a.base, attempts },
    update: updateOf(effect, a.now),
    effect,
  };
};

export const optimisticWrite = (
  event: PspResultUpdateEvent,
  key: string,
  source: ResultSource,
  policy: RetryPolicy,
  now: Date,
  /** More alternatives than this are not built: the caller would rather read first. */
  maxAlternatives = Number.POSITIVE_INFINITY,
): OptimisticWrite | undefined => {
  const intent = intentOf(event.pspStatus);
  const guard = optimisticGuard(intent, policy);
  const below = guard.attemptsBelow;
  const scheduled = below !== undefined && policy.schedule !== undefined;
  if (scheduled && (below === 0 || below > maxAlternatives)) return undefined;
  const to = intent._tag === 'Retry' ? 'RETRY_PENDING' : intent.to;
  const base: OrderFilter = guard.notOlder
    ? {
        _id: event.paymentOrderId,
        status: { $in: [...guard.from] },
        'history.key': { $ne: key },
        lastEventTime: { $not: { $gt: event.eventTime } },
      }
    : { _id: event.paymentOrderId, status: { $in: [...guard.from] }, 'history.key': { $ne: key } };
  const applied: Applied = {
    event,
    key,
    source,
    now,
    to,
    attemptsIncrement: intent._tag === 'Retry' ? 1 : 0,
    schedule: policy.schedule,
    base,
  };
  if (below === undefined) return { to, alternatives: [alternative(applied, undefined)] };
  if (!scheduled) return { to, alternatives: [alternative(applied, { $lt: below })] };
  return {
    to,
    alternatives: Array.from({ length: below }, (_, attempts) => alternative(applied, attempts, attempts + 1)),
  };
};

/** A write decided on a read: it matches only the version that was read. */
export const exactWrite = (doc: PaymentOrderDocument, effect: TransitionEffect, now: Date): ConditionalWrite => ({
  filter: { _id: doc._id, version: doc.version, 'history.key': { $ne: effect.entry.key } },
  update: updateOf(effect, now),
  effect,
});

/**
 * The audit entry of a result for an order known to be terminal: terminal states absorb, so the status
 * alone guards it, and no read is needed to decide it.
 */
export const terminalWrite = (
  event: PspResultUpdateEvent,
  key: string,
  source: ResultSource,
  status: TerminalStatus,
  now: Date,
): ConditionalWrite => {
  const effect = transitionEffect({
    event,
    key,
    source,
    now,
    outcome: 'IgnoredTerminal',
    to: status,
    attemptsIncrement: 0,
  });
  return {
    filter: { _id: event.paymentOrderId, status: { $in: [status] }, 'history.key': { $ne: key } },
    update: updateOf(effect, now),
    effect,
  };
};
