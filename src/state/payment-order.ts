import type { PaymentOrderId, PspName, PspStatus } from '../codecs/index.js';
import type { OrderStatus } from './order-status.js';
import type { Recorded, RecordedOutcome } from './outcome.js';

/** Where a result came from: the Kafka record that carried it. */
export interface ResultSource {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly traceId?: string | undefined;
}

/**
 * One audit entry. `from` is not stored: every status change appends an entry, so an entry's `from` is
 * the `to` of the entry before it (see `auditTrail`), and a single conditional update cannot read the
 * status it replaces on every MongoDB-compatible server.
 */
export interface HistoryEntry {
  readonly key: string;
  readonly kind: 'psp-result';
  readonly outcome: RecordedOutcome;
  readonly to: OrderStatus;
  readonly pspStatus: PspStatus;
  readonly pspReference?: string;
  readonly errorCode?: string;
  readonly reason?: string;
  readonly eventTime: Date;
  readonly appliedAt: Date;
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly traceId?: string;
}

export interface CreatedEntry {
  readonly key: string;
  readonly kind: 'created';
  readonly outcome: Recorded<'Applied'>;
  readonly to: 'INITIATED';
  readonly appliedAt: Date;
}

/** A dispatcher claimed the order to send its next command, or sent it. */
export interface DispatchEntry {
  readonly key: string;
  readonly kind: 'claim' | 'dispatch';
  readonly outcome: Recorded<'Applied'>;
  readonly to: OrderStatus;
  readonly command: string;
  readonly commandKey: string;
  readonly owner: string;
  readonly dueAt: Date;
  readonly appliedAt: Date;
}

export type AuditEntry = HistoryEntry | CreatedEntry | DispatchEntry;

/**
 * When the dispatcher must next act on the order, whichever command that is (`nextCommandFor` picks it):
 * - a retry: `RETRY_PENDING`, after the retry backoff (`transitionEffect`);
 * - a status check: `PENDING`, `AUTH_REQUIRED`, `CAPTURE_PENDING`, after the check delay (`transitionEffect`);
 * - the first charge: `INITIATED`, after the intake grace, in case intake could not record it itself
 *   (`createPaymentOrder`; cleared once it did).
 * `null` or absent: nothing is due (a terminal order, a command just dispatched, a result that asks for
 * nothing). The dispatchers claim orders whose time has come, oldest first (`claimableFilter`).
 *
 * Stored in the field `nextRetryAt` and indexed under the index `nextRetryAt`, names from when retries were
 * its only use. They stay: renaming a stored field is a migration (rewrite every open order, build an index
 * on the new field, claim on both names while workers of two releases share the collection, then drop the
 * old index), and the name alone does not justify that risk. Read `nextRetryAt` as "dispatch due at".
 */
export type DispatchDueAt = Date | null;

export interface PaymentOrderDocument {
  readonly _id: PaymentOrderId;
  /** What to charge, set at intake (absent on orders created before intake existed, e.g. in tests). */
  readonly amount?: number;
  readonly currency?: string;
  readonly psp?: PspName;
  readonly merchantId?: string;
  /** Status checks dispatched so far. */
  readonly checks?: number;
  readonly status: OrderStatus;
  readonly attempts: number;
  readonly version: number;
  readonly pspReference?: string;
  readonly lastEventTime?: Date;
  readonly lastErrorCode?: string;
  readonly lastErrorMessage?: string;
  readonly failureReason?: string;
  /**
   * When the dispatcher must next act on the order (`DispatchDueAt`): a retry, a status check or an
   * intake's first charge, not only a retry as the stored name says.
   */
  readonly nextRetryAt?: DispatchDueAt;
  /** A retry dispatcher's claim on the order, so that two dispatchers never send the same attempt. */
  readonly lease?: { readonly owner: string; readonly until: Date } | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly history: readonly AuditEntry[];
}

export type AuditLine = AuditEntry & { readonly from: OrderStatus | null };

/** The audit trail with each entry's `from` restored. */
export const auditTrail = (doc: Pick<PaymentOrderDocument, 'history'>): readonly AuditLine[] => {
  let from: OrderStatus | null = null;
  return doc.history.map((entry) => {
    const line = { ...entry, from };
    from = entry.to;
    return line;
  });
};
