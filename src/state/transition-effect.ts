import type { PspResultUpdateEvent } from '../codecs/index.js';
import { backoffDelay } from '../operators/backoff.js';
import type { OrderStatus } from './order-status.js';
import type { Schedule } from './transition-table.js';
import type { HistoryEntry, RecordedOutcome, ResultSource } from './payment-order.js';

/**
 * The change one PSP result makes to an order document: what the MongoDB update writes and what the
 * in-memory model applies, built in one place so the two cannot drift apart.
 */
export interface TransitionEffect {
  readonly to: OrderStatus;
  readonly attemptsIncrement: number;
  /** Applied results move `lastEventTime` forward; recorded-but-ignored ones leave it. */
  readonly eventTime?: Date;
  readonly fields: {
    readonly pspReference?: string;
    readonly lastErrorCode?: string;
    readonly lastErrorMessage?: string;
    readonly failureReason?: string;
    /** When the next command (retry, status check) is due; null: none. */
    readonly nextRetryAt?: Date | null;
    /** A dispatcher's claim; every applied result releases it. */
    readonly lease?: null;
  };
  readonly entry: HistoryEntry;
}

/** The object without its undefined fields, which MongoDB would store as null. */
const defined = <T extends object>(o: T): T => {
  const out: Record<string, unknown> = {};
  // for…in over an object literal: no entries array per call (this runs twice per event)
  for (const k in o) {
    const v = o[k];
    if (v !== undefined) out[k] = v;
  }
  return out as T;
};

const nextDue = (to: OrderStatus, attempts: number, schedule: Schedule, now: Date): Date | null => {
  if (to === 'RETRY_PENDING')
    return new Date(now.getTime() + backoffDelay(schedule.retryBackoff, attempts, schedule.random));
  if (to === 'PENDING' || to === 'AUTH_REQUIRED' || to === 'CAPTURE_PENDING') {
    return new Date(now.getTime() + schedule.checkDelayMs);
  }
  return null;
};

export const transitionEffect = (args: {
  readonly event: PspResultUpdateEvent;
  readonly key: string;
  readonly source: ResultSource;
  readonly now: Date;
  readonly outcome: RecordedOutcome;
  readonly to: OrderStatus;
  readonly attemptsIncrement: number;
  readonly reason?: string | undefined;
  /** Attempts after this result, and the schedule that turns them into `nextRetryAt`. */
  readonly attempts?: number;
  readonly schedule?: Schedule | undefined;
}): TransitionEffect => {
  const { event, source } = args;
  const applied = args.outcome === 'applied';
  const entry = defined({
    key: args.key,
    kind: 'psp-result' as const,
    outcome: args.outcome,
    to: args.to,
    pspStatus: event.pspStatus,
    pspReference: event.pspReference,
    errorCode: event.errorCode,
    reason: args.reason,
    eventTime: event.eventTime,
    appliedAt: args.now,
    topic: source.topic,
    partition: source.partition,
    offset: source.offset,
    traceId: source.traceId,
  });
  return {
    to: args.to,
    attemptsIncrement: applied ? args.attemptsIncrement : 0,
    ...(applied ? { eventTime: event.eventTime } : {}),
    fields: applied
      ? {
          ...defined({
            pspReference: event.pspReference,
            lastErrorCode: event.errorCode,
            lastErrorMessage: event.errorMessage,
            failureReason: args.reason,
          }),
          ...(args.schedule === undefined
            ? {}
            : { nextRetryAt: nextDue(args.to, args.attempts ?? 0, args.schedule, args.now), lease: null }),
        }
      : {},
    entry,
  };
};
