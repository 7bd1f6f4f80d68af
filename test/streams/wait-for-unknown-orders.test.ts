import * as E from 'fp-ts/lib/Either.js';
import { map, of, tap, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Processed } from '../../src/streams/consumed-message.js';
import { applyBatch } from '../../src/streams/apply-batch.js';
import { waitForUnknownOrders, type WaitForUnknownOrdersDeps } from '../../src/streams/wait-for-unknown-orders.js';
import type { Decoded, StoreVerdict } from '../../src/streams/store-verdict.js';
import { depsOf, fakeDeadLetterTopic, fakeStore, newScheduler, outcomesFor } from '../support/lane-batch.js';
import { applied, consumed, eventFor, label, unknownOrder, decodedItems } from '../support/lane-records.js';
import type { TestScheduler } from 'rxjs/testing';

/** An apply stage answering with `answer`, recording when it was called with which offsets. */
const fakeApply = (
  scheduler: TestScheduler,
  answer: (items: readonly Decoded[], call: number) => Observable<readonly StoreVerdict[]>,
) => {
  const calls: { at: number; offsets: string[] }[] = [];
  const apply = (items: readonly Decoded[]): Observable<readonly StoreVerdict[]> => {
    calls.push({ at: scheduler.now(), offsets: items.map((d) => d.message.offset) });
    return answer(items, calls.length);
  };
  return { apply, calls };
};

const verdicts = (items: readonly Decoded[], unknown: readonly string[] = []): readonly StoreVerdict[] =>
  items.map((item) => ({
    _tag: 'Applied',
    item,
    outcome: unknown.includes(item.event.paymentOrderId) ? unknownOrder : applied,
  }));

const waitDeps = (
  scheduler: TestScheduler,
  apply: WaitForUnknownOrdersDeps['apply'],
  retries = 2,
): WaitForUnknownOrdersDeps => ({
  apply,
  // waits: 50, 100, 200 ms… with random 0.5
  unknownOrder: { retries, backoff: { baseMs: 100, capMs: 10_000 } },
  random: () => 0.5,
  scheduler,
});

const verdictLabel = (v: StoreVerdict): string =>
  v._tag === 'Applied' ? `${v.item.message.offset}:${v.outcome._tag}` : `${v.item.message.offset}:${v.reason}`;

describe('waitForUnknownOrders', () => {
  it('passes the verdicts through after one apply when every order exists', () => {
    const scheduler = newScheduler();
    const { apply, calls } = fakeApply(scheduler, (items) =>
      scheduler.createColdObservable('-(v|)', { v: verdicts(items) }),
    );
    scheduler.run(({ expectObservable }) => {
      expectObservable(
        waitForUnknownOrders(decodedItems([10, 'po-1'], [11, 'po-2']), waitDeps(scheduler, apply)).pipe(
          map((vs) => vs.map(verdictLabel)),
        ),
      ).toBe('-(a|)', { a: ['10:Applied', '11:Applied'] });
    });
    expect(calls).toHaveLength(1);
  });

  it('applies again only the unknown orders, after the backoff, and puts their verdicts back in batch order', () => {
    const scheduler = newScheduler();
    const { apply, calls } = fakeApply(scheduler, (items, call) => of(verdicts(items, call === 1 ? ['po-late'] : [])));
    scheduler.run(({ expectObservable }) => {
      expectObservable(
        waitForUnknownOrders(
          decodedItems([10, 'po-1'], [11, 'po-late'], [12, 'po-3']),
          waitDeps(scheduler, apply),
        ).pipe(map((vs) => vs.map(verdictLabel))),
      ).toBe('50ms (a|)', { a: ['10:Applied', '11:Applied', '12:Applied'] });
    });
    expect(calls.map((c) => [c.at, c.offsets])).toEqual([
      [0, ['10', '11', '12']],
      [50, ['11']],
    ]);
  });

  it('passes an error of the apply stage through, trying nothing again', () => {
    const scheduler = newScheduler();
    const bug = new TypeError('x is undefined');
    const { apply, calls } = fakeApply(scheduler, () => scheduler.createColdObservable('--#', undefined, bug));
    scheduler.run(({ expectObservable }) => {
      expectObservable(waitForUnknownOrders(decodedItems([10, 'po-1']), waitDeps(scheduler, apply))).toBe(
        '--#',
        undefined,
        bug,
      );
    });
    expect(calls).toHaveLength(1);
  });

  it('stops waiting when unsubscribed during the backoff', () => {
    const scheduler = newScheduler();
    const { apply, calls } = fakeApply(scheduler, (items) => of(verdicts(items, ['po-x'])));
    scheduler.run(({ expectObservable }) => {
      expectObservable(waitForUnknownOrders(decodedItems([10, 'po-x']), waitDeps(scheduler, apply)), '^ 20ms !').toBe(
        '-',
      );
    });
    expect(calls).toHaveLength(1);
  });
});

describe('applyBatch: the unknown-order stage', () => {
  it('waits for an unknown order unknownOrderRetries times, with backoff, then dead-letters it as unknown-order', () => {
    const scheduler = newScheduler();
    const batch = [consumed(10, 'po-known'), consumed(11, 'po-missing')];
    const { process, calls } = fakeStore(scheduler, (results) =>
      scheduler.createColdObservable('-(r|)', { r: E.right(outcomesFor(['po-missing'])(results)) }),
    );
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    const out: Processed[] = [];
    scheduler.run(({ expectObservable }) => {
      const processed$ = applyBatch(batch, depsOf(scheduler, process, deadLetter)).pipe(tap((p) => out.push(p)));
      // store at 0 (resolved 1), wait 50 → store at 51 (52), wait 100 → store at 152 (153): dead-letter
      expectObservable(processed$.pipe(map(label))).toBe('153ms (ab|)', {
        a: 'applied:10',
        b: 'dlq:11:unknown-order',
      });
    });
    expect(calls).toEqual([
      { at: 0, offsets: ['10', '11'] },
      { at: 51, offsets: ['11'] },
      { at: 152, offsets: ['11'] },
    ]);
    expect(published.map((p) => [p.at, p.letters.map((l) => [l.message.offset, l.reason])])).toEqual([
      [153, [['11', 'unknown-order']]],
    ]);
    expect(published[0]?.letters[0]?.description).toBe('no payment order po-missing after 3 attempts');
    // the dead-lettered result still carries its decoded event
    expect(out[1]).toMatchObject({ _tag: 'DeadLettered', event: eventFor('po-missing') });
  });

  it('applies an unknown order once it exists, keeping the batch order', () => {
    const scheduler = newScheduler();
    const batch = [consumed(10, 'po-late'), consumed(11, 'po-1')];
    const { process, calls } = fakeStore(scheduler, (results, call) =>
      of(E.right(outcomesFor(call === 1 ? ['po-late'] : [])(results))),
    );
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    scheduler.run(({ expectObservable }) => {
      expectObservable(applyBatch(batch, depsOf(scheduler, process, deadLetter)).pipe(map(label))).toBe('50ms (ab|)', {
        a: 'applied:10',
        b: 'applied:11',
      });
    });
    expect(calls.map((c) => c.offsets)).toEqual([['10', '11'], ['10']]);
    expect(published).toEqual([]);
  });

  it('dead-letters an unknown order at once when unknownOrderRetries is 0', () => {
    const scheduler = newScheduler();
    const { process, calls } = fakeStore(scheduler, (results) => of(E.right(outcomesFor(['po-x'])(results))));
    const { deadLetter } = fakeDeadLetterTopic(scheduler);
    scheduler.run(({ expectObservable }) => {
      const deps = depsOf(scheduler, process, deadLetter, { unknownOrderRetries: 0 });
      expectObservable(applyBatch([consumed(10, 'po-x')], deps).pipe(map(label))).toBe('(a|)', {
        a: 'dlq:10:unknown-order',
      });
    });
    expect(calls).toHaveLength(1);
  });

  it('stops waiting for an unknown order when unsubscribed during the backoff', () => {
    const scheduler = newScheduler();
    const { process, calls } = fakeStore(scheduler, (results) => of(E.right(outcomesFor(['po-x'])(results))));
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    scheduler.run(({ expectObservable, flush }) => {
      expectObservable(applyBatch([consumed(10, 'po-x')], depsOf(scheduler, process, deadLetter)), '^ 20ms !').toBe(
        '-',
      );
      flush();
    });
    expect(calls).toHaveLength(1);
    expect(published).toEqual([]);
  });
});
