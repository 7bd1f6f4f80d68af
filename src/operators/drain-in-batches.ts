import { defer, Observable, type OperatorFunction } from 'rxjs';

/**
 * Like `concatMap`, but each inner call takes every value that arrived while the previous one ran (up to
 * `maxBatch`): one value at a time when idle, large batches under backlog, and never a timer in between.
 * When the source completes, what is queued is still processed.
 */
export const drainInBatches =
  <T, R>(process: (batch: readonly T[]) => Observable<R>, maxBatch: number): OperatorFunction<T, R> =>
  (source) =>
    new Observable<R>((subscriber) => {
      // values received and not yet handed to `process`
      const queue: T[] = [];
      // whether an inner batch is running
      let busy = false;
      let sourceDone = false;

      const next = (): void => {
        if (busy || subscriber.closed) return;
        if (queue.length === 0) {
          if (sourceDone) subscriber.complete();
          return;
        }
        busy = true;
        const batch = queue.splice(0, maxBatch);
        subscriber.add(
          // defer: a `process` that throws errors the output, as with concatMap, instead of wedging the lane
          defer(() => process(batch)).subscribe({
            next: (r) => {
              subscriber.next(r);
            },
            error: (e: unknown) => {
              subscriber.error(e);
            },
            complete: () => {
              busy = false;
              next();
            },
          }),
        );
      };

      subscriber.add(
        source.subscribe({
          next: (value) => {
            queue.push(value);
            next();
          },
          error: (e: unknown) => {
            subscriber.error(e);
          },
          complete: () => {
            sourceDone = true;
            next();
          },
        }),
      );
    });
