import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { attemptAfter, Currency, firstAttempt, MinorUnits, type PaymentOrderCommand } from '../codecs/index.js';
import type { PaymentOrderDocument } from './payment-order.js';

/** The command an order waits for, from its state: the first charge, a retry, or a status check. */
export const nextCommandFor = (doc: PaymentOrderDocument): E.Either<string, PaymentOrderCommand> => {
  const { amount, currency, psp } = doc;
  const charge =
    amount !== undefined &&
    currency !== undefined &&
    psp !== undefined &&
    MinorUnits.is(amount) &&
    Currency.is(currency)
      ? { paymentOrderId: doc._id, amount, currency, psp }
      : undefined;
  switch (doc.status) {
    case 'INITIATED':
      return charge === undefined
        ? E.left('order has no amount, currency or PSP')
        : E.right({ type: 'PaymentOrderCreated', ...charge, attempt: firstAttempt });
    case 'RETRY_PENDING':
      return charge === undefined
        ? E.left('order has no amount, currency or PSP')
        : pipe(
            attemptAfter(doc.attempts),
            E.map((attempt): PaymentOrderCommand => ({ type: 'PaymentOrderRetryRequested', ...charge, attempt })),
          );
    case 'PENDING':
    case 'AUTH_REQUIRED':
    case 'CAPTURE_PENDING':
      return psp === undefined
        ? E.left('order has no PSP')
        : pipe(
            attemptAfter(doc.checks ?? 0),
            E.map((check): PaymentOrderCommand => ({
              type: 'PaymentOrderStatusCheckRequested',
              paymentOrderId: doc._id,
              psp,
              pspReference: doc.pspReference ?? '',
              check,
            })),
          );
    case 'SUCCESSFUL':
    case 'DECLINED':
    case 'FAILED':
      return E.left(`order is ${doc.status}: nothing to send`);
  }
};
