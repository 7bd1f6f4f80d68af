import { Buffer } from 'node:buffer';
import * as E from 'fp-ts/lib/Either.js';
import { defer, of, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import { decodePspResultUpdate, headerValue, type PspResultUpdateEvent } from '../../src/codecs/index.js';
import type { Outcome, PspResult, StoreError } from '../../src/state/index.js';
import type { ApplyBatchDeps } from '../../src/streams/apply-batch.js';
import type { ConsumedMessage, DeadLetter, Processed } from '../../src/streams/consumed-message.js';
import type { Decoded } from '../../src/streams/store-verdict.js';
import type { Retryable } from '../../src/operators/retry-transient.js';
import { consumedRecord, successFor } from './consumed-records.js';

/**
 * Fixtures of the lane-batch stages (decode → apply → settle unknown orders → dead-letter): records built
 * with the real wire codec, a fake store and a fake dead-letter topic that record when they were called.
 */

// ---- messages, built with the real wire codec ----

export const topic = 'psp-results';
export const partition = 3;

export const eventFor = (id: string): PspResultUpdateEvent => successFor(id, `ref-${id}`);

export const traceparent = (traceId: string): string => `00-${traceId}-00f067aa0ba902b7-01`;

/** A record as a producer would write it for this order's result, consumed at `offset`. */
export const consumed = (offset: number, id: string): ConsumedMessage =>
  consumedRecord({ topic, partition, offset }, eventFor(id), traceparent(`trace${offset}`));

/** Records as the decode stage hands them on: `[offset, order id]` each. */
export const decodedItems = (...items: (readonly [number, string])[]): readonly Decoded[] =>
  items.map(([offset, id]) => ({ message: consumed(offset, id), event: eventFor(id) }));

/** A record with an arbitrary key and value. */
export const rawRecord = (offset: number, key: string, value: string): ConsumedMessage => ({
  topic,
  partition,
  offset: String(offset),
  key: Buffer.from(key),
  value: Buffer.from(value),
  headers: { 'schema-version': '1' },
  receivedAt: 0,
});

// ---- store outcomes and errors ----

export const applied: Outcome = { _tag: 'Applied', to: 'SUCCESSFUL' };
export const unknownOrder: Outcome = { _tag: 'UnknownOrder' };

export const transientError: StoreError = {
  _tag: 'StoreError',
  code: 'store-transient',
  retryable: true,
  message: 'not primary',
  cause: undefined,
};
/** What `storeErrorOf` makes of a MongoServerError 121 (document failed validation). */
export const rejectedError: StoreError = {
  _tag: 'StoreError',
  code: 'store-rejected-121',
  retryable: false,
  message: 'Document failed validation',
  cause: undefined,
};

export type StoreAnswer = E.Either<StoreError, readonly Outcome[]>;
export type DlqAnswer = E.Either<Retryable & { message: string }, void>;

export const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

/** `process`: records each call (when subscribed, which offsets) and answers with `answer`. */
export const fakeStore = (
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
export const fakeDeadLetterTopic = (
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
export const outcomesFor =
  (unknown: readonly string[] = []) =>
  (results: readonly PspResult[]): readonly Outcome[] =>
    results.map((r) => (unknown.includes(r.event.paymentOrderId) ? unknownOrder : applied));

export const depsOf = (
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
export const label = (p: Processed): string =>
  p._tag === 'Applied' ? `applied:${p.message.offset}` : `dlq:${p.letter.message.offset}:${p.letter.reason}`;
