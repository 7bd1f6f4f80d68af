import { Buffer } from 'node:buffer';
import {
  encodePaymentOrderCommand,
  firstAttempt,
  type Currency,
  type MinorUnits,
  type PaymentOrderCommand,
  type PaymentOrderId,
} from '../../src/codecs/index.js';
import type { ConsumedMessage } from '../../src/streams/consumed-message.js';
import { partition, topic, traceparent } from './lane-records.js';

/** What the executor's stages are fed: command records built with the real wire codec. */

/** The first attempt of an order at Stripe. */
export const created = (id: string): PaymentOrderCommand => ({
  type: 'PaymentOrderCreated',
  paymentOrderId: id as PaymentOrderId,
  amount: 1_000 as MinorUnits,
  currency: 'EUR' as Currency,
  psp: 'stripe',
  attempt: firstAttempt,
});

/** A command record as the intake or the dispatcher writes it, traced, consumed at `offset`. */
export const commandRecord = (offset: number, command: PaymentOrderCommand): ConsumedMessage => {
  const record = encodePaymentOrderCommand(command, { traceparent: traceparent(`trace${offset}`) });
  return {
    topic,
    partition,
    offset: String(offset),
    key: Buffer.from(record.key),
    value: Buffer.from(record.value),
    headers: record.headers,
    receivedAt: 0,
  };
};
