import * as t from 'io-ts';
import { Currency, MinorUnits } from './currency.js';
import { PaymentOrderId } from './payment-order-id.js';
import { PspName } from './psp-name.js';
import { decodeKeyedRecord, encodeKeyedRecord, type EncodeOptions, type WireRecord } from './wire.js';

const AttemptNumber = t.brand(
  t.number,
  (n): n is t.Branded<number, { readonly AttemptNumber: unique symbol }> => Number.isSafeInteger(n) && n >= 1,
  'AttemptNumber',
);

const charge = {
  paymentOrderId: PaymentOrderId,
  amount: MinorUnits,
  currency: Currency,
  psp: PspName,
  attempt: AttemptNumber,
};

/** What PaymentService asks of the executor, on the topic `payment-order-commands`, keyed by payment order. */
export const PaymentOrderCommand = t.union([
  t.exact(t.type({ type: t.literal('PaymentOrderCreated'), ...charge })),
  t.exact(t.type({ type: t.literal('PaymentOrderRetryRequested'), ...charge })),
  t.exact(
    t.type({
      type: t.literal('PaymentOrderStatusCheckRequested'),
      paymentOrderId: PaymentOrderId,
      psp: PspName,
      pspReference: t.string,
      check: AttemptNumber,
    }),
  ),
]);
export type PaymentOrderCommand = t.TypeOf<typeof PaymentOrderCommand>;

export const encodePaymentOrderCommand = (command: PaymentOrderCommand, opts: EncodeOptions = {}): WireRecord =>
  encodeKeyedRecord(command.paymentOrderId, JSON.stringify(PaymentOrderCommand.encode(command)), opts);

export const decodePaymentOrderCommand = decodeKeyedRecord(PaymentOrderCommand);

/** Two commands with this key are the same request: the outbox records it once. */
export const commandKeyOf = (command: PaymentOrderCommand): string => {
  switch (command.type) {
    case 'PaymentOrderCreated':
    case 'PaymentOrderRetryRequested':
      return `charge:${command.paymentOrderId}:${command.attempt}`;
    case 'PaymentOrderStatusCheckRequested':
      return `status-check:${command.paymentOrderId}:${command.check}`;
  }
};
