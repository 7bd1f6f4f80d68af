import type { PspResultUpdateEvent } from '../codecs/index.js';
import type { OrderStatus } from './order-status.js';
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
  };
  readonly entry: HistoryEntry;
}

const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export const transitionEffect = (args: {
  readonly event: PspResultUpdateEvent;
  readonly key: string;
  readonly source: ResultSource;
  readonly now: Date;
  readonly outcome: RecordedOutcome;
  readonly to: OrderStatus;
  readonly attemptsIncrement: number;
  readonly reason?: string | undefined;
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
      ? defined({
          pspReference: event.pspReference,
          lastErrorCode: event.errorCode,
          lastErrorMessage: event.errorMessage,
          failureReason: args.reason,
        })
      : {},
    entry,
  };
};
