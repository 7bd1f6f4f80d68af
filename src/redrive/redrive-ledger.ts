import * as TE from 'fp-ts/lib/TaskEither.js';
import type { Collection } from 'mongodb';
import { storeErrorOf, type StoreError } from '../state/store-error.js';

export const dlqRedrivesCollection = 'dlq_redrives';

/** `pending`: about to be published (or published without an acknowledgement seen); `done`: acknowledged. */
export type RedriveStatus = 'pending' | 'done';

export interface RedriveDocument {
  /** `<dlqTopic>:<partition>:<offset>` of the dead letter. */
  readonly _id: string;
  readonly status: RedriveStatus;
  readonly targetTopic: string;
  readonly reason?: string;
  readonly createdAt: Date;
  readonly doneAt?: Date;
}

export const redriveIdOf = (topic: string, partition: number, offset: string): string =>
  `${topic}:${partition}:${offset}`;

/** Which dead letters were redriven: the record that makes running a redrive again publish nothing twice. */
export interface RedriveLedger {
  readonly statuses: (ids: readonly string[]) => TE.TaskEither<StoreError, ReadonlyMap<string, RedriveStatus>>;
  /** Records the entries as pending; an entry already recorded keeps its status. */
  readonly markPending: (entries: readonly RedriveDocument[]) => TE.TaskEither<StoreError, void>;
  readonly markDone: (ids: readonly string[], at: Date) => TE.TaskEither<StoreError, void>;
}

export const redriveLedger = (redrives: Collection<RedriveDocument>): RedriveLedger => ({
  statuses: (ids) =>
    TE.tryCatch(async () => {
      const docs = await redrives.find({ _id: { $in: [...ids] } }, { projection: { status: 1 } }).toArray();
      return new Map(docs.map((d) => [d._id, d.status]));
    }, storeErrorOf),
  markPending: (entries) =>
    TE.tryCatch(async () => {
      if (entries.length === 0) return;
      await redrives.bulkWrite(
        entries.map(({ _id, ...fields }) => ({
          updateOne: { filter: { _id }, update: { $setOnInsert: fields }, upsert: true },
        })),
        { ordered: false },
      );
    }, storeErrorOf),
  markDone: (ids, at) =>
    TE.tryCatch(async () => {
      if (ids.length === 0) return;
      await redrives.updateMany({ _id: { $in: [...ids] } }, { $set: { status: 'done', doneAt: at } });
    }, storeErrorOf),
});
