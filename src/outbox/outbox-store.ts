import { randomUUID } from 'node:crypto';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { MongoBulkWriteError, MongoServerError, type Collection, type Db } from 'mongodb';
import { isRetryable, type OutboxErrorCode } from '../errors/error-codes.js';
import type { OutboxEntry } from './outbox-entry.js';

export const outboxCollection = 'psp_result_outbox';

/** A failed outbox call, as a value. */
export interface OutboxError {
  readonly _tag: 'OutboxError';
  readonly code: OutboxErrorCode;
  readonly retryable: boolean;
  readonly message: string;
  readonly cause: unknown;
}

const outboxErrorOf = (error: unknown): OutboxError => {
  // The outbox holds no business rule that could reject a write for good: anything but validation is the store.
  const code: OutboxErrorCode =
    error instanceof MongoServerError && error.code === 121 ? 'outbox-rejected' : 'outbox-unavailable';
  return {
    _tag: 'OutboxError',
    code,
    retryable: isRetryable(code),
    message: error instanceof Error ? error.message : String(error),
    cause: error,
  };
};

const duplicateKey = 11000;

export interface OutboxStore {
  /** Records entries durably; those already recorded (same event key or dedup key) are left as they are. */
  readonly record: (entries: readonly OutboxEntry[]) => TE.TaskEither<OutboxError, void>;
  /**
   * Claims up to `limit` pending entries (oldest first) for this relay for a lease, so that relays in
   * several processes never publish the same entry at once; an entry whose relay died is claimed again
   * once its lease ran out.
   */
  readonly claim: (limit: number, now: Date) => TE.TaskEither<OutboxError, readonly OutboxEntry[]>;
  readonly markSent: (ids: readonly string[], at: Date) => TE.TaskEither<OutboxError, void>;
  readonly countPending: () => TE.TaskEither<OutboxError, number>;
  readonly recordedDedupKeys: (keys: readonly string[]) => TE.TaskEither<OutboxError, ReadonlySet<string>>;
}

const indexNotFound = 27;

export const ensureOutboxIndexes = async (db: Db, collection: string = outboxCollection): Promise<void> => {
  const outbox = db.collection<OutboxEntry>(collection);
  await outbox.createIndex({ dedupKey: 1 }, { unique: true, name: 'dedupKey_unique' }, {});
  // The claim's sort, {createdAt, _id}, in full: MongoDB walks the pending entries in order and stops at the
  // page's limit. Without `_id` in the index it sorts every pending entry for each page.
  await outbox.createIndex({ status: 1, createdAt: 1, _id: 1 }, { name: 'status_createdAt_id' }, {});
  // The index before it is a prefix of this one: it only cost writes.
  await outbox.dropIndex('status_createdAt').catch((error: unknown) => {
    if (!(error instanceof MongoServerError && error.code === indexNotFound)) throw error;
  });
};

export interface RelayIdentity {
  readonly owner: string;
  readonly leaseMs: number;
}

const unclaimed = (now: Date) => ({
  status: 'pending' as const,
  $or: [{ claim: null }, { 'claim.until': { $lte: now } }],
});

export const outboxStore = (
  outbox: Collection<OutboxEntry>,
  relay: RelayIdentity = { owner: `relay-${randomUUID()}`, leaseMs: 30_000 },
): OutboxStore => {
  // one token per claim, so a page only ever holds what this very claim took
  let claims = 0;
  return {
    record: (entries) =>
      TE.tryCatch(async () => {
        if (entries.length === 0) return;
        try {
          await outbox.insertMany([...entries], { ordered: false });
        } catch (error) {
          const onlyDuplicates =
            error instanceof MongoBulkWriteError &&
            error.writeErrors instanceof Array &&
            error.writeErrors.length > 0 &&
            error.writeErrors.every((e) => e.code === duplicateKey);
          const single = error instanceof MongoServerError && error.code === duplicateKey;
          if (!onlyDuplicates && !single) throw error;
        }
      }, outboxErrorOf),
    claim: (limit, now) =>
      TE.tryCatch(async () => {
        claims += 1;
        const claim = { owner: `${relay.owner}:${claims}`, until: new Date(now.getTime() + relay.leaseMs) };
        const page: OutboxEntry[] = [];
        // A relay that lost some entries to another one claiming at the same moment looks again for the rest.
        for (let round = 0; round < 3 && page.length < limit; round++) {
          const candidates = await outbox
            .find(unclaimed(now))
            .sort({ createdAt: 1, _id: 1 })
            .limit(limit - page.length)
            .toArray();
          if (candidates.length === 0) break;
          const ids = candidates.map((c) => c._id);
          const { modifiedCount } = await outbox.updateMany(
            { _id: { $in: ids }, ...unclaimed(now) },
            { $set: { claim } },
          );
          // All of them changed hands to this claim: they are what was read.
          if (modifiedCount === candidates.length) {
            page.push(...candidates.map((c) => ({ ...c, claim })));
            break;
          }
          page.push(
            ...(await outbox.find({ _id: { $in: ids }, 'claim.owner': claim.owner, status: 'pending' }).toArray()),
          );
        }
        return page.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a._id < b._id ? -1 : 1));
      }, outboxErrorOf),
    markSent: (ids, at) =>
      TE.tryCatch(async () => {
        await outbox.updateMany(
          { _id: { $in: [...ids] }, status: 'pending' },
          { $set: { status: 'sent', sentAt: at } },
        );
      }, outboxErrorOf),
    countPending: () => TE.tryCatch(() => outbox.countDocuments({ status: 'pending' }), outboxErrorOf),
    recordedDedupKeys: (keys) =>
      TE.tryCatch(async () => {
        const found = await outbox.find({ dedupKey: { $in: [...keys] } }, { projection: { dedupKey: 1 } }).toArray();
        return new Set(found.map((e) => e.dedupKey));
      }, outboxErrorOf),
  };
};
