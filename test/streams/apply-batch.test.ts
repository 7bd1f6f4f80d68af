import { Buffer } from 'node:buffer';
import * as E from 'fp-ts/lib/Either.js';
import { defer, map, of, tap, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { decodePspResultUpdate, headerValue, type PspResultUpdateEvent } from '../../src/codecs/index.js';
import type { Outcome, PspResult, StoreError } from '../../src/state/index.js';
import { applyBatch, type ApplyBatchDeps } from '../../src/streams/apply-batch.js';
import type { ConsumedMessage, DeadLetter, Processed } from '../../src/streams/consumed-message.js';
import type { Retryable } from '../../src/operators/retry-transient.js';
import { consumedRecord, successFor } from '../support/consumed-records.js';

// ---- messages, built with the real wire codec ----

const topic = 'psp-results';
const partition = 3;

const eventFor = (id: string): PspResultUpdateEvent => successFor(id, `ref-${id}`);

const traceparent = (traceId: string): string => `00-${traceId}-00f067aa0ba902b7-01`;

/** A record as a producer would write it for this order's result, consumed at `offset`. */
const consumed = (offset: number, id: string): ConsumedMessage =>
  consumedRecord({ topic, partition, offset }, eventFor(id), traceparent(`trace${offset}`));

/** A record with an arbitrary key and value. */
const rawRecord = (offset: number, key: string, value: string): ConsumedMessage => ({
  topic,
  partition,
  offset: String(offset),
  key: Buffer.from(key),
  value: Buffer.from(value),
  headers: { 'schema-version': '1' },
  receivedAt: 0,
});

// ---- store outcomes and errors ----

const applied: Outcome = { _tag: 'Applied', to: 'SUCCESSFUL' };
const unknownOrder: Outcome = { _tag: 'UnknownOrder' };

const transientError: StoreError = {
  _tag: 'StoreError',
  code: 'store-transient',
  retryable: true,
  message: 'not primary',
  cause: undefined,
};
/** What `storeErrorOf` makes of a MongoServerError 121 (document failed validation). */
const rejectedError: StoreError = {
  _tag: 'StoreError',
  code: 'store-rejected-121',
  retryable: false,
  message: 'Document failed validation',
  cause: undefined,
};

type StoreAnswer = E.Either<StoreError, readonly Outcome[]>;
type DlqAnswer = E.Either<Retryable & { message: string }, void>;

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

/** `process`: records each call (when subscribed, which offsets) and answers with `answer`. */
const fakeStore = (
  scheduler: TestScheduler,
  answer: (results: readonly PspResult[], call: number) => Observable<StoreAnswer>,
) => {
  const calls: { at: number; offsets: string[] }[] = [];
  const received: PspResult[][] = [];
  const process = (results: readonly PspResult[]): Observable<StoreAnswer> =>
    defer(() => {
      calls.push({ at: scheduler.now(), offsets: results.map((r) => r.source.offset) });
      received.push([...results]);
      return answer(results, calls.length);
    });
  return { process, calls, received };
};

/** `deadLetter`: records each publish and answers with `answer` (accepted at once by default). */
const fakeDeadLetterTopic = (
  scheduler: TestScheduler,
  answer: (call: number) => Observable<DlqAnswer> = () => of(E.right(undefined)),
) => {
  const published: { at: number; letters: DeadLetter[] }[] = [];
  const deadLetter = (letters: readonly DeadLetter[]): Observable<DlqAnswer> =>
    defer(() => {
      published.push({ at: scheduler.now(), letters: [...letters] });
      return answer(published.length);
    });
  return { deadLetter, published };
};

/** Outcomes by order id: every result of an order in `unknown` is UnknownOrder, the others Applied. */
const outcomesFor =
  (unknown: readonly string[] = []) =>
  (results: readonly PspResult[]): readonly Outcome[] =>
    results.map((r) => (unknown.includes(r.event.paymentOrderId) ? unknownOrder : applied));

const depsOf = (
  scheduler: TestScheduler,
  process: ApplyBatchDeps['process'],
  deadLetter: ApplyBatchDeps['deadLetter'],
  overrides: Partial<ApplyBatchDeps> = {},
): ApplyBatchDeps => ({
  decode: (m) => decodePspResultUpdate(m),
  traceIdOf: (m) => headerValue(m.headers, 'traceparent')?.split('-')[1],
  process,
  deadLetter,
  // store retries: 5, 10, 20 ms… with random 0.5
  retry: { backoff: { baseMs: 10, capMs: 1_000 }, random: () => 0.5, scheduler },
  unknownOrderRetries: 2,
  // unknown-order waits: 50, 100, 200 ms… with random 0.5
  unknownOrderBackoff: { baseMs: 100, capMs: 10_000 },
  ...overrides,
});

/** A processed message as a short label: `applied:11`, `dlq:12:invalid-json`. */
const label = (p: Processed): string =>
  p._tag === 'Applied' ? `applied:${p.message.offset}` : `dlq:${p.letter.message.offset}:${p.letter.reason}`;

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

  it('dead-letters what does not decode, with its reason, and sends only the valid ones to the store', () => {
    const scheduler = newScheduler();
    const invalidJson = rawRecord(10, 'po-1', '{"paymentOrderId": "po-1",');
    const valid = consumed(11, 'po-2');
    const schemaViolation = rawRecord(
      12,
      'po-3',
      '{"paymentOrderId":"po-3","pspStatus":"MAYBE","eventTime":"2026-11-25T10:00:00Z"}',
    );
    const { process, calls } = fakeStore(scheduler, (results) =>
      scheduler.createColdObservable('--(r|)', { r: E.right(outcomesFor()(results)) }),
    );
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    scheduler.run(({ expectObservable }) => {
      expectObservable(
        applyBatch([invalidJson, valid, schemaViolation], depsOf(scheduler, process, deadLetter)).pipe(map(label)),
      ).toBe('--(abc|)', { a: 'applied:11', b: 'dlq:10:invalid-json', c: 'dlq:12:schema-violation' });
    });
    expect(calls).toEqual([{ at: 0, offsets: ['11'] }]);
    expect(published).toHaveLength(1);
    expect(published[0]?.at).toBe(2);
    const letters = published[0]?.letters ?? [];
    expect(letters.map((l) => [l.message, l.reason])).toEqual([
      [invalidJson, 'invalid-json'],
      [schemaViolation, 'schema-violation'],
    ]);
    expect(letters[1]?.description).toMatch(/pspStatus/);
  });

  it('dead-letters a batch that is all undecodable without calling the store', () => {
    const scheduler = newScheduler();
    const { process, calls } = fakeStore(scheduler, () => of(E.right([])));
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    const keyMismatch = consumed(21, 'po-9');
    scheduler.run(({ expectObservable }) => {
      const batch = [rawRecord(20, 'po-1', 'not json'), { ...keyMismatch, key: Buffer.from('po-other') }];
      expectObservable(applyBatch(batch, depsOf(scheduler, process, deadLetter)).pipe(map(label))).toBe('(ab|)', {
        a: 'dlq:20:invalid-json',
        b: 'dlq:21:key-mismatch',
      });
    });
    expect(calls).toEqual([]);
    expect(published).toHaveLength(1);
  });

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

  it('waits for an unknown order unknownOrderRetries times, with backoff, then dead-letters it as unknown-order', () => {
    const scheduler = newScheduler();
    const batch = [consumed(10, 'po-known'), consumed(11, 'po-missing')];
    const { process, calls } = fakeStore(scheduler, (results) =>
      scheduler.createColdObservable('-(r|)', { r: E.right(outcomesFor(['po-missing'])(results)) }),
    );
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    const out: Processed[] = [];
    scheduler.run(({ expectObservable }) => {
      const processed$ = applyBatch(batch, depsOf(scheduler, process, deadLetter));
      // store at 0 (resolved 1), wait 50 → store at 51 (52), wait 100 → store at 152 (153): dead-letter
      expectObservable(
        processed$.pipe(
          tap((p) => out.push(p)),
          map(label),
        ),
      ).toBe('153ms (ab|)', {
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
        c: 'dlq:11:store-rejected-121',
      });
    });
    expect(calls.map((c) => c.offsets)).toEqual([['10', '11', '12'], ['10'], ['11'], ['12']]);
    expect(published).toHaveLength(1);
    expect(published[0]?.letters).toEqual([
      { message: batch[1], reason: 'store-rejected-121', description: 'Document failed validation' },
    ]);
  });

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
