import type { Filter, UpdateFilter } from 'mongodb';
import type { PspResultUpdateEvent } from '../codecs/index.js';
import type { PaymentOrderDocument, ResultSource } from './payment-order.js';
import { intentOf, optimisticGuard, type RetryPolicy } from './transition-table.js';
import { transitionEffect, type TransitionEffect } from './transition-effect.js';

export type OrderFilter = Filter<PaymentOrderDocument>;
export type OrderUpdate = UpdateFilter<PaymentOrderDocument>;

export const updateOf = (effect: TransitionEffect, now: Date): OrderUpdate => ({
  $set: { status: effect.to, updatedAt: now, ...effect.fields },
  $inc: { version: 1, ...(effect.attemptsIncrement === 0 ? {} : { attempts: effect.attemptsIncrement }) },
  ...(effect.eventTime === undefined ? {} : { $max: { lastEventTime: effect.eventTime } }),
  $push: { history: effect.entry },
});

export interface ConditionalWrite {
  readonly filter: OrderFilter;
  readonly update: OrderUpdate;
  readonly effect: TransitionEffect;
}

/**
 * The happy path's one round trip: the transition the result asks for, guarded so that it matches only
 * an order for which the transition table gives exactly this transition, and only once per event key.
 * None for a retry that must be scheduled: its backoff depends on the attempts, known only after a read.
 */
export const optimisticWrite = (
  event: PspResultUpdateEvent,
  key: string,
  source: ResultSource,
  policy: RetryPolicy,
  now: Date,
): ConditionalWrite | undefined => {
  const intent = intentOf(event.pspStatus);
  if (intent._tag === 'Retry' && policy.schedule !== undefined) return undefined;
  const guard = optimisticGuard(intent, policy);
  const effect = transitionEffect({
    event,
    key,
    source,
    now,
    outcome: 'applied',
    to: intent._tag === 'Retry' ? 'RETRY_PENDING' : intent.to,
    attemptsIncrement: intent._tag === 'Retry' ? 1 : 0,
    schedule: policy.schedule,
  });
  const filter: OrderFilter = {
    _id: event.paymentOrderId,
    status: { $in: [...guard.from] },
    'history.key': { $ne: key },
    ...(guard.attemptsBelow === undefined ? {} : { attempts: { $lt: guard.attemptsBelow } }),
    ...(guard.notOlder ? { lastEventTime: { $not: { $gt: event.eventTime } } } : {}),
  };
  return { filter, update: updateOf(effect, now), effect };
};

/** A write decided on a read: it matches only the version that was read. */
export const exactWrite = (doc: PaymentOrderDocument, effect: TransitionEffect, now: Date): ConditionalWrite => ({
  filter: { _id: doc._id, version: doc.version, 'history.key': { $ne: effect.entry.key } },
  update: updateOf(effect, now),
  effect,
});
