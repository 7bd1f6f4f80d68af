import * as E from 'fp-ts/lib/Either.js';
import { map, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Retryable } from '../../src/operators/retry-transient.js';
import { applyBatch } from '../../src/streams/apply-batch.js';
import { applyResults, type ApplyResultsDeps } from '../../src/streams/apply-results.js';
import type { StoreVerdict } from '../../src/streams/store-verdict.js';
import { depsOf, fakeDeadLetterTopic, fakeStore, newScheduler, outcomesFor } from '../support/lane-batch.js';
import {
  applied,
  consumed,
  label,
  partition,
  rejectedError,
  topic,
  transientError,
  decodedItems,
  type StoreAnswer,
} from '../support/lane-records.js';
import type { TestScheduler } from 'rxjs/testing';

const applyDeps = (scheduler: TestScheduler, process: ApplyResultsDeps['process']): ApplyResultsDeps => {
  const { traceIdOf, retry } = depsOf(scheduler, process, () => of(E.right(undefined)));
  return { traceIdOf, process, retry };
};

/** A verdict as a short label: `applied:10:Applied`, `dlq:11:store-rejected`. */
const verdictLabel = (v: StoreVerdict): string =>
  v._tag === 'Applied'
    ? `applied:${v.item.message.offset}:${v.outcome._tag}`
    : `dlq:${v.item.message.offset}:${v.reason}`;

describe('applyResults', () => {
  it('sends the results to the store in one call with their source, and emits their verdicts in order once', () => {
    const scheduler = newScheduler();
    const { process, received } = fakeStore(scheduler, (results) =>
      scheduler.createColdObservable('--(r|)', { r: E.right(outcomesFor()(results)) }),
    );
    scheduler.run(({ expectObservable }) => {
      expectObservable(
        applyResults(decodedItems([10, 'po-1'], [11, 'po-2']), applyDeps(scheduler, process)).pipe(
          map((vs) => vs.map(verdictLabel).join(' ')),
        ),
      ).toBe('--(a|)', { a: 'applied:10:Applied applied:11:Applied' });
    });
    expect(received).toHaveLength(1);
    expect(received[0]?.[0]?.source).toEqual({ topic, partition, offset: '10', traceId: 'trace10' });
  });

  it('sends an empty batch to the store as it is, and emits no verdicts', () => {
    const scheduler = newScheduler();
    const { process, calls } = fakeStore(scheduler, () => of<StoreAnswer>(E.right([])));
    scheduler.run(({ expectObservable }) => {
      expectObservable(applyResults([], applyDeps(scheduler, process))).toBe('(a|)', { a: [] });
    });
    expect(calls).toHaveLength(1);
  });

  it('makes a final store error of a single result its verdict, with the store code', () => {
    const scheduler = newScheduler();
    const { process } = fakeStore(scheduler, () => of<StoreAnswer>(E.left(rejectedError)));
    scheduler.run(({ expectObservable }) => {
      expectObservable(
        applyResults(decodedItems([10, 'po-1']), applyDeps(scheduler, process)).pipe(map((vs) => vs.map(verdictLabel))),
      ).toBe('(a|)', { a: ['dlq:10:store-rejected'] });
    });
  });

  it('tells every retry of a transient error to onRetry, with its attempt and delay', () => {
    const scheduler = newScheduler();
    const { process } = fakeStore(scheduler, (results, call) =>
      of<StoreAnswer>(call <= 2 ? E.left(transientError) : E.right(outcomesFor()(results))),
    );
    const retries: [number, number][] = [];
    scheduler.run(({ expectObservable }) => {
      const deps = applyDeps(scheduler, process);
      const withOnRetry = {
        ...deps,
        retry: { ...deps.retry, onRetry: (_e: Retryable, n: number, ms: number) => retries.push([n, ms]) },
      };
      // fails at 0, waits 5; fails at 5, waits 10; applied at 15
      expectObservable(applyResults(decodedItems([10, 'po-1']), withOnRetry).pipe(map((vs) => vs.length))).toBe(
        '15ms (a|)',
        { a: 1 },
      );
    });
    expect(retries).toEqual([
      [1, 5],
      [2, 10],
    ]);
  });

  it('cancels the running write when unsubscribed', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const write = cold('-----(r|)', { r: E.right([applied]) as StoreAnswer });
      const { process } = fakeStore(scheduler, () => write);
      expectObservable(applyResults(decodedItems([10, 'po-1']), applyDeps(scheduler, process)), '^--!').toBe('---');
      expectSubscriptions(write.subscriptions).toBe('^--!');
    });
  });
});

describe('applyBatch: the apply stage', () => {
  it('retries a transient store error after the backoff and emits nothing before the retried write resolved', () => {
    const scheduler = newScheduler();
    const batch = [consumed(10, 'po-1'), consumed(11, 'po-2')];
    const { process, calls } = fakeStore(scheduler, (results, call) =>
      call === 1
        ? scheduler.createColdObservable('--(e|)', { e: E.left(transientError) })
        : scheduler.createColdObservable('---(r|)', { r: E.right(outcomesFor()(results)) }),
    );
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    const retries: [number, number][] = [];
    scheduler.run(({ expectObservable }) => {
      const deps = depsOf(scheduler, process, deadLetter);
      const withOnRetry = {
        ...deps,
        retry: { ...deps.retry, onRetry: (_e: Retryable, n: number, ms: number) => retries.push([n, ms]) },
      };
      // fails at 2, waits 5, retries at 7, resolved at 10
      expectObservable(applyBatch(batch, withOnRetry).pipe(map(label))).toBe('10ms (ab|)', {
        a: 'applied:10',
        b: 'applied:11',
      });
    });
    expect(calls).toEqual([
      { at: 0, offsets: ['10', '11'] },
      { at: 7, offsets: ['10', '11'] },
    ]);
    expect(retries).toEqual([[1, 5]]);
    expect(published).toEqual([]);
  });

  it('isolates the culprit of a non-retryable store error: one letter with the store code, the others applied', () => {
    const scheduler = newScheduler();
    const batch = [consumed(10, 'po-1'), consumed(11, 'po-bad'), consumed(12, 'po-3')];
    const { process, calls } = fakeStore(scheduler, (results) =>
      scheduler.createColdObservable('-(r|)', {
        r: results.some((r) => r.event.paymentOrderId === 'po-bad')
          ? E.left(rejectedError)
          : E.right(outcomesFor()(results)),
      }),
    );
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    scheduler.run(({ expectObservable }) => {
      // whole batch fails at 1; then one by one: 10 (2), 11 (3), 12 (4)
      expectObservable(applyBatch(batch, depsOf(scheduler, process, deadLetter)).pipe(map(label))).toBe('----(abc|)', {
        a: 'applied:10',
        b: 'applied:12',
        c: 'dlq:11:store-rejected',
      });
    });
    expect(calls.map((c) => c.offsets)).toEqual([['10', '11', '12'], ['10'], ['11'], ['12']]);
    expect(published).toHaveLength(1);
    expect(published[0]?.letters).toEqual([
      { message: batch[1], reason: 'store-rejected', description: 'Document failed validation' },
    ]);
  });

  it('errors without retrying when the store throws (a bug, not a transient failure)', () => {
    const scheduler = newScheduler();
    const bug = new TypeError('x is undefined');
    const { process, calls } = fakeStore(scheduler, () =>
      scheduler.createColdObservable<StoreAnswer>('--#', undefined, bug),
    );
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    scheduler.run(({ expectObservable }) => {
      expectObservable(applyBatch([consumed(10, 'po-1')], depsOf(scheduler, process, deadLetter))).toBe(
        '--#',
        undefined,
        bug,
      );
    });
    expect(calls).toHaveLength(1);
    expect(published).toEqual([]);
  });
});
