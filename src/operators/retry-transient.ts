import * as E from 'fp-ts/lib/Either.js';
import { defer, mergeMap, of, retry, throwError, timer, type Observable, type SchedulerLike } from 'rxjs';
import { backoffDelay, type BackoffPolicy } from './backoff.js';

export interface Retryable {
  readonly retryable: boolean;
}

export interface RetryDeps {
  readonly backoff: BackoffPolicy;
  readonly random: () => number;
  readonly scheduler?: SchedulerLike | undefined;
  /** Told of every retry: metrics and logs. */
  readonly onRetry?: ((error: Retryable, attempt: number, delayMs: number) => void) | undefined;
}

/** Carries a retryable error through `retry`, so that a bug's exception is never retried as if transient. */
class Transient<E extends Retryable> {
  constructor(readonly error: E) {}
}

/**
 * Runs `call` until it succeeds or fails for good: a retryable error is retried with backoff for as long
 * as it takes; a final error comes back as a value.
 */
export const retryTransient = <E extends Retryable, A>(
  call: () => Observable<E.Either<E, A>>,
  deps: RetryDeps,
): Observable<E.Either<E, A>> =>
  defer(call).pipe(
    mergeMap((result) =>
      E.isLeft(result) && result.left.retryable ? throwError(() => new Transient(result.left)) : of(result),
    ),
    retry({
      delay: (error: unknown, attempt) => {
        if (!(error instanceof Transient)) return throwError(() => error);
        const delayMs = backoffDelay(deps.backoff, attempt, deps.random);
        deps.onRetry?.(error.error as Retryable, attempt, delayMs);
        return timer(delayMs, deps.scheduler);
      },
    }),
  );
