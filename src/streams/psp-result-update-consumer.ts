import * as E from 'fp-ts/lib/Either.js';
import {
  asyncScheduler,
  concat,
  connect,
  defer,
  EMPTY,
  endWith,
  exhaustMap,
  filter,
  groupBy,
  ignoreElements,
  interval,
  map,
  merge,
  mergeMap,
  Observable,
  share,
  takeUntil,
  tap,
  timeout,
  of,
  type SchedulerLike,
} from 'rxjs';
import type { ConsumedMessage, Processed, SourceEvent } from './consumed-message.js';
import { drainInBatches } from '../operators/drain-in-batches.js';
import type { OffsetLedger } from './offset-ledger.js';

/** What the pipeline may ask of the Kafka consumer behind the source. */
export interface ConsumerControl {
  readonly pause: (partition: number) => void;
  readonly resume: (partition: number) => void;
  /** Whether the partition is this member's now: false from the start of a rebalance until a join assigns it. */
  readonly owns: (partition: number) => boolean;
  /** Commits next-offsets to read; a Left is logged by the caller and the offsets are offered again later. */
  readonly commit: (offsets: ReadonlyArray<readonly [number, number]>) => Observable<E.Either<unknown, void>>;
}

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
    // Per partition, the highest next offset Kafka acknowledged from this pipeline. It outlives revocations: a
    // partition assigned again restarts from its committed offset, and may be redelivered from an older one
    // (kafkajs read it before our last commit landed). Offsets below it are done; a commit below it would
    // move the group backwards.
    const floor = new Map<number, number>();
    const commit = (all: ReadonlyArray<readonly [number, number]>): Observable<never> => {
      const offsets = all.filter(([p, next]) => control.owns(p) && next > (floor.get(p) ?? -1));
      return offsets.length === 0
        ? EMPTY
        : control.commit(offsets).pipe(
            // A commit sent while the broker is away can hang in the client's retries; give up on it so the
            // next tick offers the offsets again.
            timeout({
              first: config.commitTimeoutMs ?? 10_000,
              with: () => of(E.left(new Error('commit timed out'))),
              scheduler: deps.scheduler ?? asyncScheduler,
            }),
            tap((result) => {
              if (E.isLeft(result)) deps.onCommitFailed?.(result.left);
              else
                for (const [partition, next] of offsets) {
                  ledger.committed(partition, next);
                  floor.set(partition, Math.max(next, floor.get(partition) ?? -1));
                }
            }),
            ignoreElements(),
          );
    };
    const commitPending = (): Observable<never> => defer(() => commit(ledger.pendingCommits()));

    // `connect` subscribes every use of the events (lanes, revocations, commit triggers) before the source, so a
    // source that emits or completes as soon as subscribed is neither missed nor subscribed again.
    const pipeline$ = source$.pipe(
      connect((events$) => {
        const revokedOf = (partition: number) =>
          events$.pipe(filter((e) => e._tag === 'Revoked' && e.partitions.includes(partition)));

        // Done work of revoked partitions is committed (their writes resolved); unfinished work is abandoned.
        const revocations$ = events$.pipe(
          mergeMap((e) => {
            if (e._tag !== 'Revoked') return EMPTY;
            const done = ledger.pendingCommits().filter(([p]) => e.partitions.includes(p));
            for (const p of e.partitions) {
              ledger.revoke(p);
              if (paused.delete(p)) control.resume(p);
            }
            return commit(done);
          }),
        );

        const admitted$ = events$.pipe(
          filter((e): e is Extract<SourceEvent, { _tag: 'Message' }> => e._tag === 'Message'),
          map((e) => e.message),
          // Already committed by this pipeline before a rebalance: done, not work again.
          filter((m) => Number(m.offset) >= (floor.get(m.partition) ?? -1)),
          tap((m) => {
            ledger.admit(m.partition, Number(m.offset));
            if (!paused.has(m.partition) && ledger.inFlight(m.partition) >= config.maxInFlightPerPartition) {
              paused.add(m.partition);
              control.pause(m.partition);
            }
          }),
        );

        const processed$ = admitted$.pipe(
          groupBy((m) => m.partition, { duration: (lane) => revokedOf(lane.key) }),
          mergeMap((lane) =>
            lane.pipe(drainInBatches(deps.applyBatch, config.maxBatchSize), takeUntil(revokedOf(lane.key))),
          ),
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
