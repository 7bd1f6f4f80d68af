import type { Outcome } from './outcome.js';
import { recordedTagOf } from './outcome.js';
import type { HistoryEntry, ResultSource } from './payment-order.js';

/**
 * The outcome a history entry recorded, when this very record wrote it (same topic, partition and offset):
 * a redelivery, which changes nothing and answers what was recorded then. Entries are read through
 * `recordedTagOf`, so every spelling ever stored reads back as its outcome; a spelling this release does not
 * know reads as no recorded outcome (the caller then sees a duplicate).
 *
 * `writtenAt`: when the caller's own writes were stamped. An entry stamped then was written by this very
 * call (a round's first write, read back after another result of the round missed): applied now, not a
 * redelivery.
 */
export const outcomeRecordedBy = (
  entry: HistoryEntry,
  source: ResultSource,
  writtenAt: readonly Date[] = [],
): Outcome | undefined => {
  if (entry.topic !== source.topic || entry.partition !== source.partition || entry.offset !== source.offset) {
    return undefined;
  }
  const redelivered = !writtenAt.some((t) => t.getTime() === entry.appliedAt.getTime());
  const flag = redelivered ? { redelivered: true as const } : {};
  switch (recordedTagOf(entry.outcome)) {
    case 'Applied':
      return {
        _tag: 'Applied',
        to: entry.to,
        ...(entry.reason === undefined ? {} : { reason: entry.reason }),
        ...flag,
      };
    case 'Stale':
      return { _tag: 'Stale', ...flag };
    case 'IgnoredTerminal':
      return { _tag: 'IgnoredTerminal', status: entry.to, ...flag };
    case 'InvalidTransition':
      return { _tag: 'InvalidTransition', status: entry.to, ...flag };
    case undefined:
      return undefined;
  }
};
