import * as E from 'fp-ts/lib/Either.js';
import { EMPTY, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { retryTransient, type Retryable, type RetryDeps } from '../../src/operators/retry-transient.js';

interface Failure extends Retryable {
  readonly code: string;
}

const transient: Failure = { code: 'transient', retryable: true };
const final: Failure = { code: 'final', retryable: false };
type Result = E.Either<Failure, string>;

const values = {
  t: E.left(transient) as Result,
  f: E.left(final) as Result,
  s: E.right('written') as Result,
};

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

/** A `call` that answers with the next observable of the script at each (re)subscription, and records when. */
const scripted = (scheduler: TestScheduler, script: readonly Observable<Result>[]) => {
  const calls: number[] = [];
  const call = (): Observable<Result> => {
    const next = script[calls.length];
    calls.push(scheduler.now());
    if (next === undefined) throw new Error(`unexpected call #${calls.length}`);
    return next;
  };
  return { call, calls };
};

// backoff base 10 with random 0.5: delays 5, 10, 20, 40, … (floor(0.5 · 10 · 2^(attempt-1)))
const retryDeps = (scheduler: TestScheduler, onRetry?: RetryDeps['onRetry']): RetryDeps => ({
  backoff: { baseMs: 10, capMs: 1_000 },
  random: () => 0.5,
  scheduler,
  onRetry,
});

describe('retryTransient', () => {
  it('passes a success straight through, calling once', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const write = cold('--(s|)', values);
      const { call } = scripted(scheduler, [write]);
      expectObservable(retryTransient(call, retryDeps(scheduler))).toBe('--(s|)', values);
      expectSubscriptions(write.subscriptions).toBe('^-!');
    });
  });

  it('completes without a value when the call completes without one', () => {
    const scheduler = newScheduler();
    scheduler.run(({ expectObservable }) => {
      expectObservable(retryTransient(() => EMPTY as Observable<Result>, retryDeps(scheduler))).toBe('|');
    });
  });

  it('retries a retryable Left after backoff delays of 5 then 10 ms, then returns the success', () => {
    const scheduler = newScheduler();
    const retries: [string, number, number, number][] = [];
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const first = cold('-(t|)', values);
      const second = cold('-(t|)', values);
      const third = cold('-(s|)', values);
      const { call, calls } = scripted(scheduler, [first, second, third]);
      const deps = retryDeps(scheduler, (error, attempt, delayMs) => {
        retries.push([(error as Failure).code, attempt, delayMs, scheduler.now()]);
      });
      // fails at 1, waits 5 → calls at 6, fails at 7, waits 10 → calls at 17, succeeds at 18
      expectObservable(retryTransient(call, deps)).toBe('18ms (s|)', values);
      expectSubscriptions(first.subscriptions).toBe('^!');
      expectSubscriptions(second.subscriptions).toBe('6ms ^!');
      expectSubscriptions(third.subscriptions).toBe('17ms ^!');
      scheduler.flush();
      expect(calls).toEqual([0, 6, 17]);
    });
    expect(retries).toEqual([
      ['transient', 1, 5, 1],
      ['transient', 2, 10, 7],
    ]);
  });

  it('keeps retrying for as long as it takes, the delay capped', () => {
    const scheduler = newScheduler();
    const delays: number[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const failing = cold('(t|)', values);
      const script = [...Array.from({ length: 10 }, () => failing), cold('(s|)', values)];
      const { call, calls } = scripted(scheduler, script);
      const deps: RetryDeps = {
        backoff: { baseMs: 10, capMs: 100 },
        random: () => 0.5,
        scheduler,
        onRetry: (_e, _attempt, delayMs) => delays.push(delayMs),
      };
      // 5 + 10 + 20 + 40 + 50·6 = 375
      expectObservable(retryTransient(call, deps)).toBe('375ms (s|)', values);
      scheduler.flush();
      expect(calls).toHaveLength(11);
    });
    expect(delays).toEqual([5, 10, 20, 40, 50, 50, 50, 50, 50, 50]);
  });

  it('returns a non-retryable Left as a value, without retrying', () => {
    const scheduler = newScheduler();
    const retries: number[] = [];
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const write = cold('--(f|)', values);
      const { call } = scripted(scheduler, [write]);
      expectObservable(
        retryTransient(
          call,
          retryDeps(scheduler, (_e, attempt) => retries.push(attempt)),
        ),
      ).toBe('--(f|)', values);
      expectSubscriptions(write.subscriptions).toBe('^-!');
    });
    expect(retries).toEqual([]);
  });

  it('returns a final Left that follows transient ones', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable }) => {
      const { call } = scripted(scheduler, [cold('(t|)', values), cold('(f|)', values)]);
      expectObservable(retryTransient(call, retryDeps(scheduler))).toBe('5ms (f|)', values);
    });
  });

  it('does not retry a thrown exception (a bug is not a transient failure)', () => {
    const scheduler = newScheduler();
    const retries: number[] = [];
    const bug = new TypeError('undefined is not a function');
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const write = cold<Result>('-#', undefined, bug);
      const { call, calls } = scripted(scheduler, [write, write]);
      expectObservable(
        retryTransient(
          call,
          retryDeps(scheduler, (_e, attempt) => retries.push(attempt)),
        ),
      ).toBe('-#', undefined, bug);
      expectSubscriptions(write.subscriptions).toBe('^!');
      scheduler.flush();
      expect(calls).toEqual([0]);
    });
    expect(retries).toEqual([]);
  });

  it('does not retry when `call` itself throws', () => {
    const scheduler = newScheduler();
    const bug = new Error('boom');
    let calls = 0;
    scheduler.run(({ expectObservable }) => {
      const call = (): Observable<Result> => {
        calls++;
        throw bug;
      };
      expectObservable(retryTransient(call, retryDeps(scheduler))).toBe('#', undefined, bug);
    });
    expect(calls).toBe(1);
  });

  it('stops waiting and never calls again once unsubscribed during the backoff', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const write = cold('-(t|)', values);
      const { call, calls } = scripted(scheduler, [write, write]);
      // fails at 1, would call again at 6: unsubscribed at 3
      expectObservable(retryTransient(call, retryDeps(scheduler)), '^--!').toBe('----');
      expectSubscriptions(write.subscriptions).toBe('^!');
      scheduler.flush();
      expect(calls).toEqual([0]);
    });
  });

  it('unsubscribes the running call when unsubscribed', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const write = cold('-----(s|)', values);
      const { call } = scripted(scheduler, [write]);
      expectObservable(retryTransient(call, retryDeps(scheduler)), '^--!').toBe('----');
      expectSubscriptions(write.subscriptions).toBe('^--!');
    });
  });
});
