/**
 * A record waiting in the outbox: the exact Kafka record to publish, kept until Kafka acknowledged it.
 * One mechanism for every topic psp-stream publishes to through an outbox.
 */
export interface OutboxEntry {
  /** The event key: recording the same event twice is harmless. */
  readonly _id: string;
  /**
   * What makes two entries the same fact even when built twice (the PSP idempotency key for a result):
   * an executor that crashed and ran again cannot record a second event for one PSP answer.
   */
  readonly dedupKey: string;
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: 'pending' | 'sent';
  readonly createdAt: Date;
  readonly sentAt?: Date;
  /** The relay that is publishing it, until when. */
  readonly claim?: { readonly owner: string; readonly until: Date } | null;
}

export type PendingRecord = Pick<OutboxEntry, '_id' | 'topic' | 'key' | 'value' | 'headers'>;
