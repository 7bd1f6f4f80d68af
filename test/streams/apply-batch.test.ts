import * as E from 'fp-ts/lib/Either.js';
import { map, of, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../src/streams/apply-batch.js';
import type { Processed } from '../../src/streams/consumed-message.js';
import { depsOf, fakeDeadLetterTopic, fakeStore, newScheduler, outcomesFor } from '../support/lane-batch.js';
import {
  applied,
  consumed,
  eventFor,
  label,
  partition,
  rawRecord,
  topic,
  type StoreAnswer,
} from '../support/lane-records.js';

// The lane batch as a whole (decode → apply → wait for unknown orders → dead-letter). Each stage's own
// behaviour is specified beside it: decode-batch, apply-results, wait-for-unknown-orders, dead-letter-rejected.
describe('applyBatch', () => {
  it('applies a batch in one store call, results in offset order, one Applied per message once the write resolved', () => {
    const scheduler = newScheduler();
    const batch = [consumed(10, 'po-1'), consumed(11, 'po-2'), consumed(12, 'po-1')];
    const { process, calls, received } = fakeStore(scheduler, (results) =>
      scheduler.createColdObservable('---(r|)', { r: E.right(outcomesFor()(results)) }),
    );
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    const out: Processed[] = [];
    scheduler.run(({ expectObservable }) => {
      const processed$ = applyBatch(batch, depsOf(scheduler, process, deadLetter));
      expectObservable(
        processed$.pipe(
          tap((p) => out.push(p)),
          map(label),
        ),
      ).toBe('---(abc|)', {
        a: 'applied:10',
        b: 'applied:11',
        c: 'applied:12',
      });
    });
    expect(calls).toEqual([{ at: 0, offsets: ['10', '11', '12'] }]);
    expect(received[0]?.map((r) => r.event.paymentOrderId)).toEqual(['po-1', 'po-2', 'po-1']);
    expect(received[0]?.[1]?.source).toEqual({ topic, partition, offset: '11', traceId: 'trace11' });
    expect(published).toEqual([]);
    expect(out[1]).toEqual({ _tag: 'Applied', message: batch[1], event: eventFor('po-2'), outcome: applied });
  });

  it('completes at once for an empty batch, calling neither the store nor the dead-letter topic', () => {
    const scheduler = newScheduler();
    const { process, calls } = fakeStore(scheduler, () => of(E.right([])));
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    scheduler.run(({ expectObservable }) => {
      expectObservable(applyBatch([], depsOf(scheduler, process, deadLetter))).toBe('|');
    });
    expect(calls).toEqual([]);
    expect(published).toEqual([]);
  });

  it('cancels the running write when unsubscribed, emitting and dead-lettering nothing', () => {
    const scheduler = newScheduler();
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const write = cold('-----(r|)', { r: E.right([applied, applied]) as StoreAnswer });
      const { process } = fakeStore(scheduler, () => write);
      const batch = [consumed(10, 'po-1'), rawRecord(11, 'po-2', '{')];
      expectObservable(applyBatch(batch, depsOf(scheduler, process, deadLetter)), '^--!').toBe('---');
      expectSubscriptions(write.subscriptions).toBe('^--!');
    });
    expect(published).toEqual([]);
  });
});
