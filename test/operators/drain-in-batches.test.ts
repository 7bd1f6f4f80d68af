import { config, map, of, Subject, take, tap, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { drainInBatches } from '../../src/operators/drain-in-batches.js';

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

/**
 * A `process` whose every call runs `work` (a cold observable, so its subscriptions are logged) and emits the
 * batch joined, recording when it was called and with what.
 */
const recorder = (scheduler: TestScheduler, work: Observable<unknown>) => {
  const calls: [number, string][] = [];
  const process = (batch: readonly string[]): Observable<string> => {
    calls.push([scheduler.now(), batch.join('')]);
    return work.pipe(map(() => batch.join('')));
  };
  return { process, calls };
};

describe('drainInBatches', () => {
  it('when idle, hands each value over alone and at once, without a timer', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions, flush }) => {
      const source = hot('-a----b----c--|');
      const work = cold('--(x|)');
      const { process, calls } = recorder(scheduler, work);
      expectObservable(source.pipe(drainInBatches(process, 10))).toBe('---a----b----c|');
      expectSubscriptions(work.subscriptions).toBe(['-^-!', '------^-!', '-----------^-!']);
      flush();
      expect(calls).toEqual([
        [1, 'a'],
        [6, 'b'],
        [11, 'c'],
      ]);
    });
  });

  it('while busy queues values; the next call takes all of them', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, cold, expectObservable, flush }) => {
      const source = hot('-abcd--------|');
      const work = cold('----(x|)');
      const { process, calls } = recorder(scheduler, work);
      expectObservable(source.pipe(drainInBatches(process, 10))).toBe('-----a---b---|', { a: 'a', b: 'bcd' });
      flush();
      expect(calls).toEqual([
        [1, 'a'],
        [5, 'bcd'],
      ]);
    });
  });

  it('takes at most maxBatch values per call, the rest in the following call', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, cold, expectObservable, flush }) => {
      const source = hot('-abcdef---------------|');
      const work = cold('----(x|)');
      const { process, calls } = recorder(scheduler, work);
      expectObservable(source.pipe(drainInBatches(process, 2))).toBe('-----a---b---c---d----|', {
        a: 'a',
        b: 'bc',
        c: 'de',
        d: 'f',
      });
      flush();
      expect(calls).toEqual([
        [1, 'a'],
        [5, 'bc'],
        [9, 'de'],
        [13, 'f'],
      ]);
    });
  });

  it('never runs two calls at once', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-d-e|');
      const work = cold('---(x|)');
      const { process } = recorder(scheduler, work);
      expectObservable(source.pipe(drainInBatches(process, 1))).toBe('----a--b--c--d--(e|)', {
        a: 'a',
        b: 'b',
        c: 'c',
        d: 'd',
        e: 'e',
      });
      // each subscription starts exactly where the previous one ended
      expectSubscriptions(work.subscriptions).toBe([
        '-^--!',
        '----^--!',
        '-------^--!',
        '----------^--!',
        '-------------^--!',
      ]);
    });
  });

  it('on source completion still processes what is queued, then completes', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-abc|');
      const work = cold('----(x|)');
      const { process } = recorder(scheduler, work);
      expectObservable(source.pipe(drainInBatches(process, 10))).toBe('-----a---(b|)', { a: 'a', b: 'bc' });
      expectSubscriptions(source.subscriptions).toBe('^---!');
      expectSubscriptions(work.subscriptions).toBe(['-^---!', '-----^---!']);
    });
  });

  it('completes at once when the source completes and nothing is running or queued', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, cold, expectObservable }) => {
      const source = hot('-a-----|');
      const { process } = recorder(scheduler, cold('--(x|)'));
      expectObservable(source.pipe(drainInBatches(process, 10))).toBe('---a---|');
    });
  });

  it('completes without calling process for an empty source', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, cold, expectObservable, flush }) => {
      const { process, calls } = recorder(scheduler, cold('--(x|)'));
      expectObservable(hot('---|').pipe(drainInBatches(process, 10))).toBe('---|');
      flush();
      expect(calls).toEqual([]);
    });
  });

  it('relays every value of a call, in order', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, cold, expectObservable }) => {
      const source = hot('-a--|');
      const process = (batch: readonly string[]) => cold('-x-y|', { x: `${batch.join('')}1`, y: `${batch.join('')}2` });
      expectObservable(source.pipe(drainInBatches(process, 10))).toBe('--x-y|', { x: 'a1', y: 'a2' });
    });
  });

  it('errors the output when a call errors, dropping the source and what is queued', () => {
    const scheduler = newScheduler();
    const failure = new Error('store down');
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions, flush }) => {
      const source = hot('-ab-----|');
      const calls: string[] = [];
      const process = (batch: readonly string[]) => {
        calls.push(batch.join(''));
        return cold('--#', undefined, failure);
      };
      expectObservable(source.pipe(drainInBatches(process, 10))).toBe('---#', undefined, failure);
      expectSubscriptions(source.subscriptions).toBe('^--!');
      flush();
      expect(calls).toEqual(['a']);
    });
  });

  it('errors the output when the source errors, unsubscribing the running call', () => {
    const scheduler = newScheduler();
    const failure = new Error('broker gone');
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-#', undefined, failure);
      const work = cold('-----(x|)');
      const { process } = recorder(scheduler, work);
      expectObservable(source.pipe(drainInBatches(process, 10))).toBe('---#', undefined, failure);
      expectSubscriptions(work.subscriptions).toBe('-^-!');
    });
  });

  it('stops the running call and the source when unsubscribed, and starts no other', () => {
    const scheduler = newScheduler();
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions, flush }) => {
      const source = hot('-ab---c--|');
      const work = cold('-----(x|)');
      const { process, calls } = recorder(scheduler, work);
      expectObservable(source.pipe(drainInBatches(process, 10)), '^---!').toBe('-----');
      expectSubscriptions(source.subscriptions).toBe('^---!');
      expectSubscriptions(work.subscriptions).toBe('-^--!');
      flush();
      expect(calls).toEqual([[1, 'a']]);
    });
  });

  it('with a synchronous process, handles each value as it arrives', () => {
    const values = new Subject<string>();
    const batches: string[] = [];
    const out: string[] = [];
    let completed = false;
    values
      .pipe(
        drainInBatches((batch) => {
          batches.push(batch.join(''));
          return of(batch.join('').toUpperCase());
        }, 10),
      )
      .subscribe({ next: (v) => out.push(v), complete: () => (completed = true) });
    values.next('a');
    values.next('b');
    values.complete();
    expect(batches).toEqual(['a', 'b']);
    expect(out).toEqual(['A', 'B']);
    expect(completed).toBe(true);
  });

  it('queues a value that arrives while a synchronous call is still emitting (re-entrancy)', () => {
    const values = new Subject<string>();
    const batches: string[] = [];
    values
      .pipe(
        drainInBatches((batch) => {
          batches.push(batch.join(''));
          return of(batch.join(''));
        }, 10),
      )
      .subscribe((v) => {
        // a downstream reaction feeding the source while the first call is emitting
        if (v === 'a') {
          values.next('b');
          values.next('c');
        }
      });
    values.next('a');
    expect(batches).toEqual(['a', 'bc']);
  });

  it('errors the output when process throws synchronously, like concatMap does', () => {
    const scheduler = newScheduler();
    const bug = new TypeError('cannot read properties of undefined');
    const unhandled: unknown[] = [];
    const previous = config.onUnhandledError;
    config.onUnhandledError = (e) => unhandled.push(e);
    try {
      scheduler.run(({ hot, expectObservable }) => {
        const process = (): Observable<string> => {
          throw bug;
        };
        expectObservable(hot('-a-b-|').pipe(drainInBatches(process, 10))).toBe('-#', undefined, bug);
      });
    } finally {
      config.onUnhandledError = previous;
    }
    expect(unhandled).toEqual([]);
  });

  it('starts no other call once unsubscribed, even when unsubscribed while a synchronous call is emitting', () => {
    const values = new Subject<string>();
    const batches: string[] = [];
    values
      .pipe(
        drainInBatches((batch) => {
          batches.push(batch.join(''));
          return of(batch.join(''));
        }, 10),
        // a value queued during the first call's emission, then the consumer stops
        tap((v) => {
          if (v === 'a') values.next('b');
        }),
        take(1),
      )
      .subscribe();
    values.next('a');
    expect(batches).toEqual(['a']);
  });
});
