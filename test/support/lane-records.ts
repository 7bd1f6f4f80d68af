import { Buffer } from 'node:buffer';
import type * as E from 'fp-ts/lib/Either.js';
import type { PspResultUpdateEvent } from '../../src/codecs/index.js';
import type { Outcome, StoreError } from '../../src/state/index.js';
import type { ConsumedMessage, Processed } from '../../src/streams/consumed-message.js';
import type { Decoded } from '../../src/streams/store-verdict.js';
import type { Retryable } from '../../src/operators/retry-transient.js';
import { consumedRecord, successFor } from './consumed-records.js';

/** What the lane-batch stages are fed and answer: records built with the real wire codec, outcomes, store errors. */

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
  code: 'store-rejected',
  retryable: false,
  message: 'Document failed validation',
  cause: undefined,
};

/** What the store answers a batch, and what the dead-letter topic answers a publish. */
export type StoreAnswer = E.Either<StoreError, readonly Outcome[]>;
export type DlqAnswer = E.Either<Retryable & { message: string }, void>;

/** A processed message as a short label: `applied:11`, `dlq:12:invalid-json`. */
export const label = (p: Processed): string =>
  p._tag === 'Applied' ? `applied:${p.message.offset}` : `dlq:${p.letter.message.offset}:${p.letter.reason}`;
