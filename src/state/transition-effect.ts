import type { PspResultUpdateEvent } from '../codecs/index.js';
import { backoffDelay } from '../operators/backoff.js';
import type { OrderStatus } from './order-status.js';
import type { Schedule } from './transition-table.js';
import { recordedOutcomeOf, type RecordedTag } from './outcome.js';
import type { DispatchDueAt, HistoryEntry, ResultSource } from './payment-order.js';

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
    /** When the dispatcher must next act (a retry, a status check; see `DispatchDueAt`); null: never. */
    readonly nextRetryAt?: DispatchDueAt;
    /** A dispatcher's claim; every applied result releases it. */
    readonly lease?: null;
  };
  readonly entry: HistoryEntry;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** When the dispatcher must act on an order a result moved to `to`: a retry, a status check, or never. */
const nextDue = (to: OrderStatus, attempts: number, schedule: Schedule, now: Date): DispatchDueAt => {
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
  /** The outcome the entry records (spelled in history as `outcomeVocabulary` says). */
  readonly outcome: RecordedTag;
  readonly to: OrderStatus;
  readonly attemptsIncrement: number;
  readonly reason?: string | undefined;
  /** Attempts after this result, and the schedule that turns them into `nextRetryAt` (`DispatchDueAt`). */
  readonly attempts?: number;
  readonly schedule?: Schedule | undefined;
}): TransitionEffect => {
  const { event, source } = args;
  const applied = args.outcome === 'Applied';
  // Built field by field, in the stored order, without undefined fields (this runs for every write built).
  const entry = {
    key: args.key,
    kind: 'psp-result',
    outcome: recordedOutcomeOf(args.outcome),
    to: args.to,
    pspStatus: event.pspStatus,
  } as Writable<HistoryEntry>;
  if (event.pspReference !== undefined) entry.pspReference = event.pspReference;
  if (event.errorCode !== undefined) entry.errorCode = event.errorCode;
  if (args.reason !== undefined) entry.reason = args.reason;
  entry.eventTime = event.eventTime;
  entry.appliedAt = args.now;
  entry.topic = source.topic;
  entry.partition = source.partition;
  entry.offset = source.offset;
  if (source.traceId !== undefined) entry.traceId = source.traceId;
  const fields: Writable<TransitionEffect['fields']> = {};
  if (applied) {
    if (event.pspReference !== undefined) fields.pspReference = event.pspReference;
    if (event.errorCode !== undefined) fields.lastErrorCode = event.errorCode;
    if (event.errorMessage !== undefined) fields.lastErrorMessage = event.errorMessage;
    if (args.reason !== undefined) fields.failureReason = args.reason;
    if (args.schedule !== undefined) {
      fields.nextRetryAt = nextDue(args.to, args.attempts ?? 0, args.schedule, args.now);
      fields.lease = null;
    }
  }
  return applied
    ? { to: args.to, attemptsIncrement: args.attemptsIncrement, eventTime: event.eventTime, fields, entry }
    : { to: args.to, attemptsIncrement: 0, fields, entry };
};
