import { groupBy, mergeMap, takeUntil, type Observable, type OperatorFunction } from 'rxjs';
import { drainInBatches } from '../operators/drain-in-batches.js';
import type { ConsumedMessage } from './consumed-message.js';

/**
 * The lanes stage: one lane per partition, each applying micro-batches of what is ready (up to
 * `maxBatchSize`) one at a time, in offset order; lanes run side by side. A revoked partition's lane ends
 * at once, dropping its unfinished batch.
 */
export const intoLanes =
  <P>(
    applyBatch: (batch: readonly ConsumedMessage[]) => Observable<P>,
    maxBatchSize: number,
    revokedOf: (partition: number) => Observable<unknown>,
  ): OperatorFunction<ConsumedMessage, P> =>
  (admitted$) =>
    admitted$.pipe(
      groupBy((m) => m.partition, { duration: (lane) => revokedOf(lane.key) }),
      mergeMap((lane) => lane.pipe(drainInBatches(applyBatch, maxBatchSize), takeUntil(revokedOf(lane.key)))),
    );
