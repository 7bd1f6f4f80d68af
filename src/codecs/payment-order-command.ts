import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { Currency, MinorUnits } from './currency.js';
import { PaymentOrderId } from './payment-order-id.js';
import { PspName } from './psp-name.js';
import { decodeKeyedRecord, encodeKeyedRecord, type EncodeOptions, type WireRecord } from './wire.js';

/** The number of a charge attempt or of a status check: 1, 2, … */
export const AttemptNumber = t.brand(
  t.number,
  (n): n is t.Branded<number, { readonly AttemptNumber: unique symbol }> => Number.isSafeInteger(n) && n >= 1,
  'AttemptNumber',
);
export type AttemptNumber = t.TypeOf<typeof AttemptNumber>;

// 1 satisfies the brand's predicate: the one number every order's first command carries.
export const firstAttempt = 1 as AttemptNumber;

/** The attempt after `done` of them (a count from the store), or why there is none. */
export const attemptAfter = (done: number): E.Either<string, AttemptNumber> => {
  const next = done + 1;
  return AttemptNumber.is(next) ? E.right(next) : E.left(`${String(done)} is not a count of attempts`);
};

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
