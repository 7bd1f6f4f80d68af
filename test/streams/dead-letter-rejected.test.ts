import * as E from 'fp-ts/lib/Either.js';
import { map, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { applyBatch } from '../../src/streams/apply-batch.js';
import type { DeadLetter } from '../../src/streams/consumed-message.js';
import { deadLetterRejected, type DeadLetterRejectedDeps } from '../../src/streams/dead-letter-rejected.js';
import type { StoreVerdict } from '../../src/streams/store-verdict.js';
import { depsOf, fakeDeadLetterTopic, fakeStore, newScheduler, outcomesFor } from '../support/lane-batch.js';
import {
  applied,
  consumed,
  eventFor,
  label,
  rawRecord,
  decodedItems,
  type DlqAnswer,
} from '../support/lane-records.js';
import type { TestScheduler } from 'rxjs/testing';

const [appliedItem, rejectedItem] = decodedItems([10, 'po-1'], [11, 'po-2']);
if (appliedItem === undefined || rejectedItem === undefined) throw new Error('fixtures do not decode');
const appliedVerdict: StoreVerdict = { _tag: 'Applied', item: appliedItem, outcome: applied };
const rejectedVerdict: StoreVerdict = {
  _tag: 'DeadLettered',
  item: rejectedItem,
  reason: 'unknown-order',
  description: 'no payment order po-2 after 1 attempts',
};
const invalidLetter: DeadLetter = { message: rawRecord(12, 'po-3', '{'), reason: 'invalid-json', description: 'x' };

const letterDeps = (
  scheduler: TestScheduler,
  deadLetter: DeadLetterRejectedDeps['deadLetter'],
): DeadLetterRejectedDeps => {
  const { retry } = depsOf(scheduler, () => of(E.right([])), deadLetter);
  return { deadLetter, retry };
};

describe('deadLetterRejected', () => {
  it('emits the applied at once and publishes nothing when nothing was rejected', () => {
    const scheduler = newScheduler();
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    scheduler.run(({ expectObservable }) => {
      expectObservable(
        deadLetterRejected([], [appliedVerdict], letterDeps(scheduler, deadLetter)).pipe(map(label)),
      ).toBe('(a|)', { a: 'applied:10' });
    });
    expect(published).toEqual([]);
  });

  it('completes at once with nothing to emit or publish', () => {
    const scheduler = newScheduler();
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    scheduler.run(({ expectObservable }) => {
      expectObservable(deadLetterRejected([], [], letterDeps(scheduler, deadLetter))).toBe('|');
    });
    expect(published).toEqual([]);
  });

  it('publishes the undecodable, then the rejected, in one send; emits the applied first, each once it is kept', () => {
    const scheduler = newScheduler();
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler, () =>
      scheduler.createColdObservable<DlqAnswer>('--(a|)', { a: E.right(undefined) }),
    );
    scheduler.run(({ expectObservable }) => {
      expectObservable(
        deadLetterRejected([invalidLetter], [rejectedVerdict, appliedVerdict], letterDeps(scheduler, deadLetter)).pipe(
          map(label),
        ),
      ).toBe('--(abc|)', { a: 'applied:10', b: 'dlq:12:invalid-json', c: 'dlq:11:unknown-order' });
    });
    expect(published.map((p) => p.letters.map((l) => [l.message.offset, l.reason]))).toEqual([
      [
        ['12', 'invalid-json'],
        ['11', 'unknown-order'],
      ],
    ]);
  });

  it('keeps the decoded event of a rejected result on its DeadLettered', () => {
    const scheduler = newScheduler();
    const { deadLetter } = fakeDeadLetterTopic(scheduler);
    const out: unknown[] = [];
    scheduler.run(({ expectObservable }) => {
      expectObservable(
        deadLetterRejected([], [rejectedVerdict], letterDeps(scheduler, deadLetter)).pipe(map((p) => out.push(p))),
      ).toBe('(a|)', { a: 1 });
    });
    expect(out[0]).toMatchObject({ _tag: 'DeadLettered', event: eventFor('po-2') });
  });

  it('emits nothing when unsubscribed while the publish is pending', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const send = cold<DlqAnswer>('-----(a|)', { a: E.right(undefined) });
      const { deadLetter } = fakeDeadLetterTopic(scheduler, () => send);
      expectObservable(
        deadLetterRejected([invalidLetter], [appliedVerdict], letterDeps(scheduler, deadLetter)),
        '^--!',
      ).toBe('---');
      expectSubscriptions(send.subscriptions).toBe('^--!');
    });
  });
});

describe('applyBatch: the dead-letter stage', () => {
  it('retries a transient dead-letter publish failure, then emits', () => {
    const scheduler = newScheduler();
    const { process } = fakeStore(scheduler, () => of(E.right([])));
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler, (call) =>
      call === 1
        ? scheduler.createColdObservable('-(e|)', { e: E.left({ retryable: true, message: 'leader not available' }) })
        : of(E.right(undefined)),
    );
    scheduler.run(({ expectObservable }) => {
      // refused at 1, waits 5, accepted at 6
      expectObservable(
        applyBatch([rawRecord(10, 'k', '')], depsOf(scheduler, process, deadLetter)).pipe(map(label)),
      ).toBe('6ms (a|)', { a: 'dlq:10:empty-value' });
    });
    expect(published.map((p) => p.at)).toEqual([0, 6]);
  });

  it('errors, emitting nothing, when the dead-letter topic refuses for good (so nothing of the batch is committed)', () => {
    const scheduler = newScheduler();
    const { process } = fakeStore(scheduler, (results) => of(E.right(outcomesFor()(results))));
    const { deadLetter } = fakeDeadLetterTopic(scheduler, () =>
      of(E.left({ retryable: false, message: 'topic authorization failed' })),
    );
    scheduler.run(({ expectObservable }) => {
      const batch = [consumed(10, 'po-1'), rawRecord(11, 'po-2', '{')];
      expectObservable(applyBatch(batch, depsOf(scheduler, process, deadLetter)).pipe(map(label))).toBe(
        '#',
        undefined,
        new Error('dead-letter publish failed: topic authorization failed'),
      );
    });
  });
});
