import * as E from 'fp-ts/lib/Either.js';
import { defer, of, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import { decodePspResultUpdate, headerValue } from '../../src/codecs/index.js';
import type { Outcome, PspResult } from '../../src/state/index.js';
import type { ApplyBatchDeps } from '../../src/streams/apply-batch.js';
import type { DeadLetter } from '../../src/streams/consumed-message.js';
import { applied, unknownOrder, type DlqAnswer, type StoreAnswer } from './lane-records.js';

/**
 * The world of the lane-batch stages (decode → apply → settle unknown orders → dead-letter): a fake store and
 * a fake dead-letter topic that record when they were called, and the deps of a lane batch over them.
 */

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
