import { Buffer } from 'node:buffer';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { encodePaymentOrderCommand, type PaymentOrderCommand, type PaymentOrderId } from '../../src/codecs/index.js';
import { decodeTracedCommand } from '../../src/publisher/traced-command.js';

const statusCheck = {
  type: 'PaymentOrderStatusCheckRequested',
  paymentOrderId: 'po-7' as PaymentOrderId,
  psp: 'adyen',
  pspReference: 'psp-ref-7',
  check: 2,
} as unknown as PaymentOrderCommand;

describe('decodeTracedCommand', () => {
  it("reads the codec's command and the record's traceparent", () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const record = encodePaymentOrderCommand(statusCheck, { traceparent });
    expect(decodeTracedCommand(record)).toEqual(E.right({ command: statusCheck, traceparent }));
  });

  it('has no traceparent for a record without one', () => {
    const decoded = decodeTracedCommand(encodePaymentOrderCommand(statusCheck));
    expect(E.isRight(decoded) && decoded.right.traceparent).toBeUndefined();
  });

  it('tells why a record is not a command', () => {
    const decoded = decodeTracedCommand({ key: Buffer.from('po-1'), value: Buffer.from('{"type":"Nope"}') });
    expect(E.isLeft(decoded) && decoded.left._tag).toBe('SchemaViolation');
  });
});
