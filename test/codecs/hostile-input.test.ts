import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodePspResultUpdate, describeDecodeFailure } from '../../src/codecs/index.js';
import type { ConsumedRecord } from '../../src/codecs/index.js';
import { validJson } from './event-arbitraries.js';

const bytesOrText = (arb: fc.Arbitrary<string>): fc.Arbitrary<Buffer | string> =>
  fc.oneof(
    arb,
    arb.map((s) => Buffer.from(s)),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  );

const headers = fc.dictionary(
  fc.oneof(fc.constantFrom('schema-version', 'content-type', '__proto__', 'constructor'), fc.string()),
  fc.oneof(
    bytesOrText(fc.constantFrom('1', '2', '')),
    fc.array(bytesOrText(fc.string()), { maxLength: 3 }),
    fc.constant(undefined),
  ),
);

const key = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  bytesOrText(fc.constantFrom('po-1', '')),
  bytesOrText(fc.string()),
);

/** Decodes and, for a failure, describes: neither may throw, and the outcome must be an Either. */
const survives = (record: ConsumedRecord): void => {
  const result = decodePspResultUpdate(record, { maxValueBytes: 4096 });
  expect(E.isLeft(result) || E.isRight(result)).toBe(true);
  if (E.isLeft(result)) expect(describeDecodeFailure(result.left)).not.toMatch(/[\r\n]/);
};

describe('decodePspResultUpdate on hostile input', () => {
  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(key, fc.uint8Array({ maxLength: 8192 }), fc.option(headers, { nil: undefined }), (k, value, h) => {
        survives({ key: k, value: Buffer.from(value), headers: h });
      }),
    );
  });

  it('never throws on random JSON values', () => {
    fc.assert(
      fc.property(key, fc.jsonValue(), headers, (k, json, h) => {
        survives({ key: k, value: JSON.stringify(json), headers: h });
      }),
    );
  });

  it('never throws when any field of a valid event holds any JSON value', () => {
    const field = fc.constantFrom(
      'paymentOrderId',
      'pspStatus',
      'eventTime',
      'pspReference',
      'errorCode',
      'errorMessage',
      '__proto__',
    );
    fc.assert(
      fc.property(field, fc.jsonValue(), (name, json) => {
        survives({ key: 'po-1', value: JSON.stringify({ ...validJson, [name]: json }) });
      }),
    );
  });

  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2048 }), (value) => {
        survives({ key: 'po-1', value });
      }),
    );
  });

  it('answers deeply nested JSON with a failure, not a stack overflow', () => {
    const depth = 60_000;
    const limit = { maxValueBytes: 2 * depth };
    const closed = decodePspResultUpdate({ key: 'po-1', value: '['.repeat(depth) + ']'.repeat(depth) }, limit);
    const open = decodePspResultUpdate({ key: 'po-1', value: '['.repeat(depth) }, limit);
    expect(E.isLeft(closed) && closed.left._tag).toBe('SchemaViolation');
    expect(E.isLeft(open) && open.left._tag).toBe('InvalidJson');
  });

  it('ignores a deeply nested unknown field', () => {
    const depth = 20_000;
    const value = `{"extra":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)},${JSON.stringify(validJson).slice(1)}`;
    expect(E.isRight(decodePspResultUpdate({ key: 'po-1', value }, { maxValueBytes: 7 * depth }))).toBe(true);
  });
});
