import type { PaymentOrderId, PspStatus } from '../codecs/index.js';
import type { OrderStatus } from './order-status.js';

/** Where a result came from: the Kafka record that carried it. */
export interface ResultSource {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly traceId?: string | undefined;
}

export type RecordedOutcome = 'applied' | 'ignored-terminal' | 'stale' | 'invalid-transition';

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
  readonly outcome: 'applied';
  readonly to: 'INITIATED';
  readonly appliedAt: Date;
}

export type AuditEntry = HistoryEntry | CreatedEntry;

export interface PaymentOrderDocument {
  readonly _id: PaymentOrderId;
  readonly status: OrderStatus;
  readonly attempts: number;
  readonly version: number;
  readonly pspReference?: string;
  readonly lastEventTime?: Date;
  readonly lastErrorCode?: string;
  readonly lastErrorMessage?: string;
  readonly failureReason?: string;
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
