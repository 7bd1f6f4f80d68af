import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { encodePspResultUpdate, headerValue } from '../../src/codecs/index.js';
import type { PspResultUpdateEvent } from '../../src/codecs/index.js';
import { orderId } from '../support/consumed-records.js';

const event: PspResultUpdateEvent = {
  paymentOrderId: orderId('po-42'),
  pspStatus: 'DECLINED',
  eventTime: new Date('2026-11-25T10:00:00.123+01:00'),
  errorCode: 'card_declined',
};

describe('encodePspResultUpdate', () => {
  it('keys the record by payment order id so one order stays on one partition', () => {
    expect(encodePspResultUpdate(event).key).toBe('po-42');
  });

  it('writes the encoded event as JSON, eventTime in UTC, absent optional fields left out', () => {
    expect(encodePspResultUpdate(event).value).toBe(
      '{"paymentOrderId":"po-42","pspStatus":"DECLINED","eventTime":"2026-11-25T09:00:00.123Z","errorCode":"card_declined"}',
    );
  });

  it('writes fields in schema order whatever order the event object has', () => {
    const reordered: PspResultUpdateEvent = {
      errorMessage: 'Do not honour',
      eventTime: event.eventTime,
      pspReference: 'psp-ref-1',
      pspStatus: 'DECLINED',
      paymentOrderId: event.paymentOrderId,
    };
    expect(Object.keys(JSON.parse(encodePspResultUpdate(reordered).value) as object)).toEqual([
      'paymentOrderId',
      'pspStatus',
      'eventTime',
      'pspReference',
      'errorMessage',
    ]);
  });

  it('keeps properties outside the schema off the wire', () => {
    const widened = { ...event, cardNumber: '4111111111111111' };
    expect(encodePspResultUpdate(widened).value).not.toContain('cardNumber');
  });

  it('labels the value as JSON of schema version 1', () => {
    expect(encodePspResultUpdate(event).headers).toEqual({ 'content-type': 'application/json', 'schema-version': '1' });
  });

  it('carries a traceparent header only when one is given', () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect(encodePspResultUpdate(event, { traceparent }).headers['traceparent']).toBe(traceparent);
    expect(encodePspResultUpdate(event, { traceparent: '' }).headers).not.toHaveProperty('traceparent');
    expect(encodePspResultUpdate(event, {}).headers).not.toHaveProperty('traceparent');
  });
});

describe('headerValue', () => {
  it('reads string and Buffer headers as text', () => {
    expect(headerValue({ a: 'x' }, 'a')).toBe('x');
    expect(headerValue({ a: Buffer.from('ünï') }, 'a')).toBe('ünï');
  });

  it('reads the first value of a repeated header', () => {
    expect(headerValue({ a: [Buffer.from('1'), '2'] }, 'a')).toBe('1');
    expect(headerValue({ a: [] }, 'a')).toBeUndefined();
  });

  it('finds nothing for absent headers, including names the object prototype has', () => {
    expect(headerValue(undefined, 'a')).toBeUndefined();
    expect(headerValue({ a: undefined }, 'a')).toBeUndefined();
    expect(headerValue({}, 'a')).toBeUndefined();
    expect(headerValue({}, 'toString')).toBeUndefined();
    expect(headerValue({}, '__proto__')).toBeUndefined();
  });

  it('matches the header name exactly, as Kafka does', () => {
    expect(headerValue({ 'Schema-Version': '2' }, 'schema-version')).toBeUndefined();
  });
});
