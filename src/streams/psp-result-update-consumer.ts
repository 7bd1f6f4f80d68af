import {
  concat,
  connect,
  defer,
  EMPTY,
  endWith,
  exhaustMap,
  filter,
  ignoreElements,
  interval,
  map,
  merge,
  mergeMap,
  Observable,
  share,
  takeUntil,
  tap,
  type SchedulerLike,
} from 'rxjs';
import { offsetCommitter } from './commit-offsets.js';
import type { ConsumedMessage, Processed, SourceEvent } from './consumed-message.js';
import type { ConsumerControl } from './consumer-control.js';
import { intoLanes } from './lanes.js';
import type { OffsetLedger } from './offset-ledger.js';

// The Kafka edge and the executor import the control from here.
export type { ConsumerControl } from './consumer-control.js';

export interface ConsumerPipelineConfig {
  readonly maxInFlightPerPartition: number;
  readonly maxBatchSize: number;
  readonly commitIntervalMs: number;
  readonly commitEvery: number;
  readonly commitTimeoutMs?: number;
}

export interface ConsumerPipelineDeps<P = Processed> {
  readonly control: ConsumerControl;
  readonly ledger: OffsetLedger;
  readonly applyBatch: (batch: readonly ConsumedMessage[]) => Observable<P>;
  readonly config: ConsumerPipelineConfig;
  readonly scheduler?: SchedulerLike | undefined;
  readonly onCommitFailed?: ((error: unknown) => void) | undefined;
}

export const messageOf = (p: Processed): ConsumedMessage => (p._tag === 'Applied' ? p.message : p.letter.message);

/**
 * A partitioned consumer: one lane per partition, micro-batches in each lane, and commits of only what is
 * durably processed. Completes when the source completes and every admitted message is done, after a last
 * commit. `messageOf` tells which consumed message a result finishes.
 */
export const consumePartitions = <P>(
  source$: Observable<SourceEvent>,
  deps: ConsumerPipelineDeps<P> & { readonly messageOf: (p: P) => ConsumedMessage },
): Observable<P> =>
  defer(() => {
    const { control, ledger, config } = deps;
    const paused = new Set<number>();
    const { commit, commitPending, floorOf, belowFloor, forget } = offsetCommitter({
      control,
      ledger,
      timeoutMs: config.commitTimeoutMs ?? 10_000,
      scheduler: deps.scheduler,
      onCommitFailed: deps.onCommitFailed,
    });

    // `connect` subscribes every use of the events (lanes, revocations, commit triggers) before the source, so a
    // source that emits or completes as soon as subscribed is neither missed nor subscribed again.
    const pipeline$ = source$.pipe(
      connect((events$) => {
        // One subscription to the events for every lane's revocation, not two per lane (each consumed message
        // would pass two filters per lane).
        const revocations = events$.pipe(
          filter((e): e is Extract<SourceEvent, { _tag: 'Revoked' }> => e._tag === 'Revoked'),
          share(),
        );
        const revokedOf = (partition: number) => revocations.pipe(filter((e) => e.partitions.includes(partition)));

        // Done work of revoked partitions is committed (their writes resolved); unfinished work is abandoned.
        const revocations$ = events$.pipe(
          mergeMap((e) => {
            if (e._tag !== 'Revoked') return EMPTY;
            const done = ledger.pendingCommits().filter(([p]) => e.partitions.includes(p));
            for (const p of e.partitions) {
              ledger.revoke(p);
              forget(p);
              if (paused.delete(p)) control.resume(p);
            }
            return commit(done);
          }),
        );

        const admitted$ = events$.pipe(
          filter((e): e is Extract<SourceEvent, { _tag: 'Message' }> => e._tag === 'Message'),
          map((e) => e.message),
          // Already committed by this pipeline before a rebalance: done, not work again (and the floor is
          // committed again, in case the group's offset was moved back below it).
          filter((m) => {
            if (Number(m.offset) >= floorOf(m.partition)) return true;
            belowFloor(m.partition);
            return false;
          }),
          tap((m) => {
            ledger.admit(m.partition, Number(m.offset));
            if (!paused.has(m.partition) && ledger.inFlight(m.partition) >= config.maxInFlightPerPartition) {
              paused.add(m.partition);
              control.pause(m.partition);
            }
          }),
        );

        const processed$ = admitted$.pipe(
          intoLanes(deps.applyBatch, config.maxBatchSize, revokedOf),
          tap((p) => {
            const m = deps.messageOf(p);
            ledger.complete(m.partition, Number(m.offset));
            if (paused.has(m.partition) && ledger.inFlight(m.partition) <= config.maxInFlightPerPartition / 2) {
              paused.delete(m.partition);
              control.resume(m.partition);
            }
          }),
          share(),
        );

        const commits$ = merge(
          interval(config.commitIntervalMs, deps.scheduler),
          processed$.pipe(filter((p) => ledger.uncommittedDone(deps.messageOf(p).partition) >= config.commitEvery)),
        ).pipe(takeUntil(processed$.pipe(ignoreElements(), endWith(true))), exhaustMap(commitPending));

        return merge(processed$, commits$, revocations$);
      }),
    );

    return concat(pipeline$, commitPending());
  });

/** The PspResultUpdateConsumer pipeline. */
export const pspResultUpdateConsumer = (
  source$: Observable<SourceEvent>,
  deps: ConsumerPipelineDeps,
): Observable<Processed> => consumePartitions(source$, { ...deps, messageOf });
