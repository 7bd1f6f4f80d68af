import { Buffer } from 'node:buffer';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  decodePspResultUpdate,
  defaultMaxValueBytes,
  errorCodeMaxLength,
  errorMessageMaxLength,
  paymentOrderIdMaxLength,
  pspReferenceMaxLength,
} from '../../src/codecs/index.js';
import type { ConsumedRecord, DecodeFailure } from '../../src/codecs/index.js';
import { consumed, validJson } from './event-arbitraries.js';

const failureOf = (record: ConsumedRecord, maxValueBytes?: number): DecodeFailure | undefined =>
  E.match(
    (failure: DecodeFailure) => failure,
    () => undefined,
  )(decodePspResultUpdate(record, maxValueBytes === undefined ? {} : { maxValueBytes }));

const schemaErrorsOf = (json: unknown): readonly string[] => {
  const failure = failureOf(consumed(json));
  return failure?._tag === 'SchemaViolation' ? failure.errors : [];
};

describe('decodePspResultUpdate accepts', () => {
  it('a minimal event', () => {
    const decoded = decodePspResultUpdate(consumed(validJson));
    expect(E.map((e: { eventTime: Date }) => e.eventTime.toISOString())(decoded)).toEqual(
      E.right('2026-11-25T10:00:00.000Z'),
    );
  });

  it('unknown extra fields, and leaves them out of the event', () => {
    const value =
      '{"__proto__":{"polluted":true},"extra":1,"nested":{"deep":[1,2]},' + JSON.stringify(validJson).slice(1);
    const decoded = decodePspResultUpdate({ key: 'po-1', value });
    expect(E.map(Object.keys)(decoded)).toEqual(E.right(['paymentOrderId', 'pspStatus', 'eventTime']));
    expect(E.map(Object.getPrototypeOf)(decoded)).toEqual(E.right(Object.prototype));
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('a record without a schema-version header as version 1', () => {
    expect(E.isRight(decodePspResultUpdate({ key: 'po-1', value: JSON.stringify(validJson) }))).toBe(true);
  });

  it('a value of exactly the size limit, counted in UTF-8 bytes', () => {
    const padded = (padding: string) => consumed({ ...validJson, padding });
    const base = Buffer.byteLength(padded('').value);
    expect(failureOf(padded('é'.repeat(50)), base + 100)).toBeUndefined();
    expect(failureOf(padded('é'.repeat(50)), base + 99)).toEqual({
      _tag: 'ValueTooLarge',
      size: base + 100,
      limit: base + 99,
    });
  });

  it.each([
    ['a NoSQL operator', '{"$where": "sleep(1000)"}'],
    ['SQL', "'; DROP TABLE payment_orders; --"],
    ['markup', '<script>alert(1)</script>'],
    ['a template', '${process.exit(1)}'],
  ])('a paymentOrderId that looks like %s, as plain data', (_, id) => {
    const decoded = decodePspResultUpdate(consumed({ ...validJson, paymentOrderId: id }, id));
    expect(E.map((e: { paymentOrderId: string }) => e.paymentOrderId)(decoded)).toEqual(E.right(id));
  });
});

describe('decodePspResultUpdate rejects', () => {
  it.each([null, undefined, '', Buffer.alloc(0)])('the value %j as EmptyValue', (value) => {
    expect(failureOf({ key: 'po-1', value })).toEqual({ _tag: 'EmptyValue' });
  });

  it('a 1 MiB value as ValueTooLarge before reading it', () => {
    const value = Buffer.alloc(1024 * 1024, '{');
    expect(failureOf({ key: 'po-1', value })).toEqual({
      _tag: 'ValueTooLarge',
      size: 1024 * 1024,
      limit: defaultMaxValueBytes,
    });
  });

  it.each([['2'], [''], ['1.0'], [' 1'], [Buffer.from('2')], [['2', '1']]])(
    'the schema-version header %j as UnsupportedSchemaVersion',
    (version) => {
      const failure = failureOf({ ...consumed(validJson), headers: { 'schema-version': version } });
      expect(failure?._tag).toBe('UnsupportedSchemaVersion');
    },
  );

  it('an unsupported schema version before looking at the value', () => {
    expect(failureOf({ key: 'po-1', value: 'not json', headers: { 'schema-version': '2' } })).toEqual({
      _tag: 'UnsupportedSchemaVersion',
      found: '2',
    });
  });

  it.each([
    ['truncated JSON', '{"paymentOrderId":'],
    ['plain text', 'SUCCESSFUL'],
    ['JSON with a trailing comma', '{"a":1,}'],
    ['whitespace', '   '],
  ])('%s as InvalidJson', (_, value) => {
    expect(failureOf({ key: 'po-1', value })?._tag).toBe('InvalidJson');
  });

  it('bytes that are not UTF-8 as InvalidJson', () => {
    expect(failureOf({ key: 'po-1', value: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) })).toEqual({
      _tag: 'InvalidJson',
      detail: 'value is not valid UTF-8',
    });
  });

  it.each([
    ['paymentOrderId', { pspStatus: 'SUCCESSFUL', eventTime: validJson.eventTime }],
    ['pspStatus', { paymentOrderId: 'po-1', eventTime: validJson.eventTime }],
    ['eventTime', { paymentOrderId: 'po-1', pspStatus: 'SUCCESSFUL' }],
  ])('an event without %s, naming the field', (field, json) => {
    expect(schemaErrorsOf(json)).toEqual([expect.stringMatching(new RegExp(`^${field}: missing`))]);
  });

  it('an unknown pspStatus, naming the field, the allowed values and the value found', () => {
    expect(schemaErrorsOf({ ...validJson, pspStatus: 'FOO' })).toEqual([
      'pspStatus: expected one of SUCCESSFUL|DECLINED|FAILED|TIMEOUT|PSP_UNAVAILABLE|FAILED_TRANSIENT|PENDING|AUTH_REQUIRED|CAPTURE_PENDING|UNKNOWN but got "FOO"',
    ]);
  });

  it.each([
    ['paymentOrderId', ''],
    ['paymentOrderId', 'x'.repeat(paymentOrderIdMaxLength + 1)],
    ['paymentOrderId', 42],
    ['paymentOrderId', { $where: 'sleep(1000)' }],
    ['paymentOrderId', { $gt: '' }],
    ['pspStatus', 'successful'],
    ['pspStatus', null],
    ['eventTime', '2026-11-25'],
    ['eventTime', '2026-11-25T10:00:00'],
    ['eventTime', '2026-13-01T00:00:00Z'],
    ['eventTime', 'Invalid Date'],
    ['eventTime', 1_764_064_800_000],
    ['pspReference', ''],
    ['pspReference', 'r'.repeat(pspReferenceMaxLength + 1)],
    ['errorCode', ''],
    ['errorCode', 'e'.repeat(errorCodeMaxLength + 1)],
    ['errorMessage', 'm'.repeat(errorMessageMaxLength + 1)],
    ['errorMessage', null],
  ])('%s = %j as a SchemaViolation naming the field', (field, value) => {
    const errors = schemaErrorsOf({ ...validJson, [field]: value });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^${field}: expected `));
  });

  it('every bad field at once, one message each', () => {
    const errors = schemaErrorsOf({ paymentOrderId: '', pspStatus: 'FOO', eventTime: 'now', errorCode: 7 });
    expect(errors.map((e) => e.split(':')[0])).toEqual(['paymentOrderId', 'pspStatus', 'eventTime', 'errorCode']);
  });

  it.each([[[validJson]], ['a string'], [42], [null]])('the JSON value %j as a SchemaViolation at the root', (json) => {
    expect(schemaErrorsOf(json)).toEqual([expect.stringMatching(/^\(root\): expected PspResultUpdateEvent but got /)]);
  });

  it.each([null, undefined, '', Buffer.alloc(0)])('the key %j as MissingKey', (key) => {
    expect(failureOf({ ...consumed(validJson), key })).toEqual({ _tag: 'MissingKey' });
  });

  it('a schema violation before a missing key', () => {
    expect(failureOf(consumed({}, null))?._tag).toBe('SchemaViolation');
  });

  it('a key other than the paymentOrderId as KeyMismatch', () => {
    expect(failureOf(consumed(validJson, 'po-2'))).toEqual({
      _tag: 'KeyMismatch',
      key: 'po-2',
      paymentOrderId: 'po-1',
    });
    expect(failureOf({ ...consumed(validJson), key: Buffer.from('PO-1') })).toEqual({
      _tag: 'KeyMismatch',
      key: 'PO-1',
      paymentOrderId: 'po-1',
    });
  });

  it('a key whose bytes are not the UTF-8 of the paymentOrderId as KeyMismatch', () => {
    const latin1Key = Buffer.from('pö-1', 'latin1');
    const failure = failureOf({ ...consumed({ ...validJson, paymentOrderId: 'pö-1' }), key: latin1Key });
    expect(failure?._tag).toBe('KeyMismatch');
  });
});
