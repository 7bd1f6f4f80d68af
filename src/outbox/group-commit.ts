import type * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { OutboxEntry } from './outbox-entry.js';
import type { OutboxError, OutboxStore } from './outbox-store.js';

type Record = OutboxStore['record'];

/**
 * Group commit for the outbox: one `record` in flight at a time, and every call made meanwhile goes into
 * the next one (up to `maxBatch` entries): one entry at a time when idle, one insert for hundreds of
 * results under a burst, and never a timer in between. Each call still resolves only once its own entries
 * are durably recorded (or with the error of the insert that carried them, for the caller to retry: the
 * record is idempotent per entry, by event key and dedup key).
 */
export const groupCommit = (record: Record, maxBatch: number): Record => {
  // calls waiting for the next insert, oldest first
  const waiting: {
    readonly entries: readonly OutboxEntry[];
    readonly done: (r: E.Either<OutboxError, void>) => void;
  }[] = [];
  // whether an insert is in flight (the loop below runs until `waiting` is empty)
  let flushing = false;

  const flush = async (): Promise<void> => {
    flushing = true;
    while (waiting.length > 0) {
      let size = 0;
      let take = 0;
      for (const call of waiting) {
        if (take > 0 && size + call.entries.length > maxBatch) break;
        size += call.entries.length;
        take += 1;
      }
      const batch = waiting.splice(0, take);
      const result = await record(batch.flatMap((call) => call.entries))().catch(
        (error: unknown): E.Either<OutboxError, void> => ({
          _tag: 'Left',
          left: {
            _tag: 'OutboxError',
            code: 'outbox-unavailable',
            retryable: true,
            message: String(error),
            cause: error,
          },
        }),
      );
      for (const call of batch) call.done(result);
    }
    flushing = false;
  };

  return (entries): TE.TaskEither<OutboxError, void> =>
    () =>
      new Promise((resolve) => {
        waiting.push({ entries, done: resolve });
        if (!flushing) void flush();
      });
};
