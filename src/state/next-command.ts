import * as E from 'fp-ts/lib/Either.js';
import { Currency, MinorUnits, type PaymentOrderCommand } from '../codecs/index.js';
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
        : E.right({ type: 'PaymentOrderCreated', ...charge, attempt: 1 as never });
    case 'RETRY_PENDING':
      return charge === undefined
        ? E.left('order has no amount, currency or PSP')
        : E.right({ type: 'PaymentOrderRetryRequested', ...charge, attempt: (doc.attempts + 1) as never });
    case 'PENDING':
    case 'AUTH_REQUIRED':
    case 'CAPTURE_PENDING':
      return psp === undefined
        ? E.left('order has no PSP')
        : E.right({
            type: 'PaymentOrderStatusCheckRequested',
            paymentOrderId: doc._id,
            psp,
            pspReference: doc.pspReference ?? '',
            check: ((doc.checks ?? 0) + 1) as never,
          });
    case 'SUCCESSFUL':
    case 'DECLINED':
    case 'FAILED':
      return E.left(`order is ${doc.status}: nothing to send`);
  }
};
