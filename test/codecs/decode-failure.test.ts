import { describe, expect, it } from 'vitest';
import { decodeFailureReason, describeDecodeFailure } from '../../src/codecs/index.js';
import type { DecodeFailure } from '../../src/codecs/index.js';
import { maxDescriptionLength } from '../../src/codecs/decode-failure.js';

const hostile = `po-1\n{"level":"fatal"}\r\n${'x'.repeat(1024 * 1024)}`;

const failures: readonly [DecodeFailure, string][] = [
  [{ _tag: 'MissingKey' }, 'missing-key'],
  [{ _tag: 'EmptyValue' }, 'empty-value'],
  [{ _tag: 'ValueTooLarge', size: 1_048_576, limit: 65_536 }, 'value-too-large'],
  [{ _tag: 'InvalidJson', detail: `Unexpected token 'x', "{\n x" is not valid JSON` }, 'invalid-json'],
  [{ _tag: 'UnsupportedSchemaVersion', found: hostile }, 'unsupported-schema-version'],
  [{ _tag: 'SchemaViolation', errors: ['pspStatus: missing', 'eventTime: missing'] }, 'schema-violation'],
  [{ _tag: 'KeyMismatch', key: hostile, paymentOrderId: 'po-1' }, 'key-mismatch'],
];

describe('DecodeFailure', () => {
  it.each(failures)('%j has the stable reason %s', (failure, reason) => {
    expect(decodeFailureReason(failure)).toBe(reason);
  });

  it.each(failures)('%j is described on one short line, whatever the producer sent', (failure) => {
    const line = describeDecodeFailure(failure);
    expect(line).not.toMatch(/[\r\n]/);
    expect(line.length).toBeLessThan(300);
  });

  it('bounds the line and masks card numbers quoted from the record', () => {
    const errors = Array.from({ length: 200 }, (_, i) => `field${i}: expected a string but got 4111111111111111`);
    const line = describeDecodeFailure({ _tag: 'SchemaViolation', errors });
    expect(line.length).toBeLessThanOrEqual(maxDescriptionLength);
    expect(line).not.toContain('4111111111111111');
    expect(describeDecodeFailure({ _tag: 'KeyMismatch', key: '4111 1111 1111 1111', paymentOrderId: 'po-1' })).toBe(
      'key "[digits masked]" differs from paymentOrderId "po-1"',
    );
  });

  it('says what was wrong', () => {
    expect(describeDecodeFailure({ _tag: 'ValueTooLarge', size: 1_048_576, limit: 65_536 })).toBe(
      'value of 1048576 bytes exceeds the limit of 65536 bytes',
    );
    expect(describeDecodeFailure({ _tag: 'KeyMismatch', key: 'po-2', paymentOrderId: 'po-1' })).toBe(
      'key "po-2" differs from paymentOrderId "po-1"',
    );
    expect(
      describeDecodeFailure({ _tag: 'SchemaViolation', errors: ['pspStatus: missing', 'eventTime: missing'] }),
    ).toBe('value violates the event schema: pspStatus: missing; eventTime: missing');
  });
});
