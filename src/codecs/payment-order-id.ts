import * as t from 'io-ts';
import { hasLengthWithin } from './bounded-string.js';

export const paymentOrderIdMaxLength = 128;

export interface PaymentOrderIdBrand {
  readonly PaymentOrderId: unique symbol;
}

/** The payment order a PSP result belongs to; also the Kafka key, so one order's results stay in order. */
export const PaymentOrderId = t.brand(
  t.string,
  (s): s is t.Branded<string, PaymentOrderIdBrand> => hasLengthWithin(s, 1, paymentOrderIdMaxLength),
  'PaymentOrderId',
);
export type PaymentOrderId = t.TypeOf<typeof PaymentOrderId>;
