import { defer, finalize, tap, type Observable } from 'rxjs';
import type { Retryable } from '../operators/retry-transient.js';
import type { ConsumedMessage, Processed } from './consumed-message.js';

/** Watches one lane batch: told of each message processed, and of the batch's end (done, failed or dropped). */
export interface BatchWatch {
  readonly processed: (p: Processed) => void;
  readonly end: () => void;
}

/** What the worker tells the outside world (metrics, logs, traces); src/telemetry/worker-observer.ts is the real one. */
export interface WorkerObserver {
  readonly batch: (batch: readonly ConsumedMessage[]) => BatchWatch;
  /** A transient failure (store or dead-letter topic), about to be retried after `delayMs`. */
  readonly retry: (
    error: Retryable & { readonly code?: string; readonly message?: string },
    attempt: number,
    delayMs: number,
  ) => void;
  /** An offset commit failed; the offsets are offered again at the next commit. */
  readonly commitFailed: (error: unknown) => void;
}

/** Each lane batch watched from its start (before any of its work) to its end, whatever ends it. */
export const observeBatches =
  (
    apply: (batch: readonly ConsumedMessage[]) => Observable<Processed>,
    watch: WorkerObserver['batch'],
  ): ((batch: readonly ConsumedMessage[]) => Observable<Processed>) =>
  (batch) =>
    defer(() => {
      const watching = watch(batch);
      return apply(batch).pipe(
        tap((p) => {
          watching.processed(p);
        }),
        finalize(() => {
          watching.end();
        }),
      );
    });
