import type { Observable } from 'rxjs';
import { within } from '../operators/within.js';

/** How long closing the clients may take after the pipeline ended or was abandoned. */
export const closeBoundMs = 3_000;

/** When closing must be over: the stop's deadline, or `closeBoundMs` from now if that comes first. */
export const closingDeadline = (stopDeadline: number, now: number = Date.now()): number =>
  Math.min(stopDeadline, now + closeBoundMs);

export interface BoundedRunOptions {
  /** How long a stop lets the work in flight finish before abandoning it. */
  readonly shutdownTimeoutMs: number;
  /** Stops the source: no further record is fetched; what was fetched still flows. */
  readonly stopSource: () => Promise<void>;
  /**
   * Closes the clients, once the pipeline ended or was abandoned: nothing in flight can meet a closed store
   * or producer. `stopDeadline` is the stop's deadline (epoch ms), +Infinity when the pipeline ended by
   * itself (an error) without a stop.
   */
  readonly close: (stopDeadline: number) => Promise<void>;
  /** The stop's deadline came before the pipeline ended: it is about to be unsubscribed. */
  readonly onAbandoned: () => void;
}

export interface BoundedRun {
  /** Resolves once the pipeline ended and `close` ran: after a stop, or with the error that ended it. */
  readonly done: Promise<void>;
  /**
   * Stops the source, lets the pipeline finish until `shutdownTimeoutMs`, then abandons it (its unfinished
   * work stays uncommitted and is redelivered to the next owner); resolves once closed. Asked again, it
   * returns the first stop.
   */
  readonly stop: () => Promise<void>;
  /** True from the first moment of a stop, or once the pipeline ended: readiness is off from then on. */
  readonly stopping: () => boolean;
}

/**
 * The pipeline's one subscription and its bounded end, shared by the worker and the executor: ended by
 * completion (drained), by its error, or abandoned at the stop's deadline; the clients are closed last.
 */
export const boundedRun = (pipeline$: Observable<unknown>, opts: BoundedRunOptions): BoundedRun => {
  // Set by the first stop request, or by the pipeline's end.
  let stopping = false;
  // The stop's deadline (epoch ms); none until a stop is asked.
  let deadline = Number.POSITIVE_INFINITY;
  let ended!: (outcome: { readonly error?: unknown }) => void;
  const end = new Promise<{ readonly error?: unknown }>((resolve) => {
    ended = resolve;
  });
  const subscription = pipeline$.subscribe({
    complete: () => {
      ended({});
    },
    error: (error: unknown) => {
      ended({ error });
    },
  });

  const done = end.then(async ({ error }) => {
    stopping = true;
    await opts.close(deadline);
    if (error !== undefined) throw error instanceof Error ? error : new Error(JSON.stringify(error));
  });

  const stop = async (): Promise<void> => {
    stopping = true;
    deadline = Math.min(deadline, Date.now() + opts.shutdownTimeoutMs);
    await opts.stopSource();
    if ((await within(Math.max(0, deadline - Date.now()), end)) === 'timeout') {
      // Unsubscribing drops every lane, retry and pending write: their offsets stay uncommitted and are
      // delivered again to whoever owns the partition next. Nothing is dead-lettered for it.
      opts.onAbandoned();
      subscription.unsubscribe();
      ended({});
    }
    await done.catch(() => undefined);
  };

  let stopped: Promise<void> | undefined;
  return {
    done,
    stop: () => (stopped ??= stop()),
    stopping: () => stopping,
  };
};
