import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { lastValueFrom, of, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { fromTask, rightOrThrow } from '../../src/operators/effects.js';

interface Failure {
  readonly code: string;
  readonly message: string;
}

const refused: Failure = { code: 'store-rejected', message: 'no' };

/** A TaskEither that counts its runs and answers with `answer`. */
const counted = <A>(answer: E.Either<Failure, A>) => {
  const runs = { count: 0 };
  const task: TE.TaskEither<Failure, A> = () => {
    runs.count += 1;
    return Promise.resolve(answer);
  };
  return { task, runs };
};

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

describe('fromTask', () => {
  it('runs nothing before it is subscribed', () => {
    const { task, runs } = counted(E.right(1));
    fromTask(task);
    expect(runs.count).toBe(0);
  });

  it('runs the task once per subscription and emits its Either, then completes', async () => {
    const { task, runs } = counted(E.right(1));
    const once$ = fromTask(task);
    expect(await lastValueFrom(once$.pipe(toArray()))).toEqual([E.right(1)]);
    expect(await lastValueFrom(once$.pipe(toArray()))).toEqual([E.right(1)]);
    expect(runs.count).toBe(2);
  });

  it('emits a Left as a value, not as an error', async () => {
    const { task } = counted<number>(E.left(refused));
    expect(await lastValueFrom(fromTask(task).pipe(toArray()))).toEqual([E.left(refused)]);
  });

  it('turns a rejected promise of TE.tryCatch into a Left', async () => {
    const cause = new Error('connection reset');
    const task = TE.tryCatch(
      () => Promise.reject(cause),
      (error): Failure => ({ code: 'store-unreachable', message: String(error) }),
    );
    expect(await lastValueFrom(fromTask(task))).toEqual(
      E.left({ code: 'store-unreachable', message: 'Error: connection reset' }),
    );
  });

  it('errors the stream (does not throw at the caller) when the task rejects outside TE.tryCatch', async () => {
    const failure = new Error('a bug');
    const broken$ = fromTask(() => Promise.reject(failure));
    await expect(lastValueFrom(broken$)).rejects.toBe(failure);
  });
});

describe('rightOrThrow', () => {
  it('passes the value of a Right on', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const results = cold<E.Either<Failure, number>>('-a-b|', { a: E.right(1), b: E.right(2) });
      expectObservable(results.pipe(rightOrThrow((l: Failure) => l.message))).toBe('-a-b|', { a: 1, b: 2 });
    });
  });

  it('ends the stream at the first Left, with its message and the Left as cause', () => {
    newScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const results = cold<E.Either<Failure, number>>('-a-l-b|', { a: E.right(1), l: E.left(refused), b: E.right(2) });
      expectObservable(results.pipe(rightOrThrow((l: Failure) => `store: ${l.message}`))).toBe(
        '-a-#',
        { a: 1 },
        new Error('store: no', { cause: refused }),
      );
      expectSubscriptions(results.subscriptions).toBe('^--!');
    });
  });

  it('keeps the Left itself as the error cause', async () => {
    const error: unknown = await lastValueFrom(of(E.left(refused)).pipe(rightOrThrow((l: Failure) => l.code))).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('store-rejected');
    expect((error as Error).cause).toBe(refused);
  });

  it('completes without a value on an empty source', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<E.Either<Failure, number>>('--|').pipe(rightOrThrow((l) => l.message))).toBe('--|');
    });
  });
});
