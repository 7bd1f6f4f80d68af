import * as E from 'fp-ts/lib/Either.js';
import type * as T from 'fp-ts/lib/Task.js';
import { defer, mergeMap, of, throwError, type Observable, type OperatorFunction } from 'rxjs';

/*
 * The crossings between the three effect types, each named once. The rest is the libraries' own:
 *   Promise → TaskEither     `TE.tryCatch(() => promise, errorOf)`, at the one edge module of each client
 *   TaskEither → Promise     `await task()`: a TaskEither is a function that returns a Promise of Either
 *   Observable → Promise     `lastValueFrom(observable$)`
 * A store or Kafka call inside a stream is usually
 *   retryTransient(() => fromTask(task), retry).pipe(rightOrThrow((left) => `what failed: ${left.message}`))
 */

/**
 * Task (or TaskEither) → Observable: runs `task` once per subscription, and not before; a TaskEither's
 * Left arrives as a value (`Either`), never as an error. Pass the task itself, not `task()`.
 */
export const fromTask = <A>(task: T.Task<A>): Observable<A> => defer(task);

/**
 * Either → its Right: a Right goes on as its value; a Left ends the stream with an `Error` whose message is
 * `messageOf(left)` and whose `cause` is the Left itself, so its code and the client's error reach the log.
 */
export const rightOrThrow = <L, A>(messageOf: (left: L) => string): OperatorFunction<E.Either<L, A>, A> =>
  mergeMap((result) =>
    E.isRight(result) ? of(result.right) : throwError(() => new Error(messageOf(result.left), { cause: result.left })),
  );
