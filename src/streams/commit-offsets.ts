import * as E from 'fp-ts/lib/Either.js';
import {
  asyncScheduler,
  defer,
  EMPTY,
  ignoreElements,
  of,
  tap,
  timeout,
  type Observable,
  type SchedulerLike,
} from 'rxjs';
import type { ConsumerControl } from './consumer-control.js';
import type { OffsetLedger } from './offset-ledger.js';

export interface OffsetCommitter {
  /** Commits these next-offsets, those of partitions still owned and past what Kafka acknowledged; emits nothing. */
  readonly commit: (offsets: ReadonlyArray<readonly [number, number]>) => Observable<never>;
  /** Commits whatever the ledger holds done and uncommitted, when subscribed. */
  readonly commitPending: () => Observable<never>;
  /** The highest next offset Kafka acknowledged from this pipeline for the partition (-1: none). */
  readonly floorOf: (partition: number) => number;
  /**
   * The partition was redelivered from below its floor: the group's offset is behind what this pipeline had
   * committed (a member back from a long pause committed older work), so the floor is committed once more.
   */
  readonly belowFloor: (partition: number) => void;
  /** The partition was revoked: its floor is never committed again for an assignment that is over. */
  readonly forget: (partition: number) => void;
}

/**
 * The commit stage: done offsets to Kafka, recorded in the ledger once acknowledged. A failed or timed-out
 * commit is told to `onCommitFailed`; its offsets stay pending and are offered again by the next commit.
 */
export const offsetCommitter = (deps: {
  readonly control: ConsumerControl;
  readonly ledger: OffsetLedger;
  readonly timeoutMs: number;
  readonly scheduler?: SchedulerLike | undefined;
  readonly onCommitFailed?: ((error: unknown) => void) | undefined;
}): OffsetCommitter => {
  const { control, ledger } = deps;
  // Per partition, the highest next offset Kafka acknowledged from this pipeline. It outlives revocations: a
  // partition assigned again restarts from its committed offset, and may be redelivered from an older one
  // (kafkajs read it before our last commit landed). Offsets below it are done; a commit below it would
  // move the group backwards.
  const floor = new Map<number, number>();
  const floorOf = (partition: number): number => floor.get(partition) ?? -1;
  // Partitions of the current assignment whose group offset is behind their floor.
  const behind = new Set<number>();
  const commit = (all: ReadonlyArray<readonly [number, number]>): Observable<never> => {
    const offsets = all.filter(
      ([p, next]) => control.owns(p) && (next > floorOf(p) || (next === floorOf(p) && behind.has(p))),
    );
    return offsets.length === 0
      ? EMPTY
      : control.commit(offsets).pipe(
          // A commit sent while the broker is away can hang in the client's retries; give up on it so the
          // next tick offers the offsets again.
          timeout({
            first: deps.timeoutMs,
            with: () => of(E.left(new Error('commit timed out'))),
            scheduler: deps.scheduler ?? asyncScheduler,
          }),
          tap((result) => {
            if (E.isLeft(result)) deps.onCommitFailed?.(result.left);
            else
              for (const [partition, next] of offsets) {
                ledger.committed(partition, next);
                floor.set(partition, Math.max(next, floorOf(partition)));
                behind.delete(partition);
              }
          }),
          ignoreElements(),
        );
  };
  const pendingWithFloors = (): ReadonlyArray<readonly [number, number]> => {
    const pending = ledger.pendingCommits();
    const floors = [...behind]
      .filter((p) => floorOf(p) >= 0 && !pending.some(([q]) => q === p))
      .map((p) => [p, floorOf(p)] as const);
    return [...pending, ...floors];
  };
  return {
    commit,
    commitPending: () => defer(() => commit(pendingWithFloors())),
    floorOf,
    belowFloor: (partition) => {
      behind.add(partition);
    },
    forget: (partition) => {
      behind.delete(partition);
    },
  };
};
