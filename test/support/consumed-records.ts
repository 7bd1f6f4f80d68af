import { Buffer } from 'node:buffer';
import { encodePspResultUpdate, PaymentOrderId, type PspResultUpdateEvent } from '../../src/codecs/index.js';
import type { ConsumedMessage } from '../../src/streams/consumed-message.js';

/** A fixture id, checked by the codec's own brand so a typo fails loudly. */
export const orderId = (s: string): PaymentOrderId => {
  if (!PaymentOrderId.is(s)) throw new Error(`bad fixture ${s}`);
  return s;
};

export const successFor = (id: string, pspReference?: string): PspResultUpdateEvent => ({
  paymentOrderId: orderId(id),
  pspStatus: 'SUCCESSFUL',
  eventTime: new Date('2026-11-25T10:00:00.000Z'),
  ...(pspReference === undefined ? {} : { pspReference }),
});

/** The record a producer writes for `event`, as the consumer sees it at `partition`/`offset`. */
export const consumedRecord = (
  at: { readonly topic: string; readonly partition: number; readonly offset: number },
  event: PspResultUpdateEvent,
  traceparent?: string,
): ConsumedMessage => {
  const record = encodePspResultUpdate(event, traceparent === undefined ? {} : { traceparent });
  return {
    topic: at.topic,
    partition: at.partition,
    offset: String(at.offset),
    key: Buffer.from(record.key),
    value: Buffer.from(record.value),
    headers: record.headers,
    receivedAt: 0,
  };
};
