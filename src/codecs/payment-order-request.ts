import * as t from 'io-ts';
import { Currency, MinorUnits } from './currency.js';
import { PaymentOrderId } from './payment-order-id.js';
import { PspName } from './psp-name.js';

/** A payment order to create: what PaymentService's intake accepts (one NDJSON line of `orders create`). */
export const PaymentOrderRequest = t.exact(
  t.intersection([
    t.type({ paymentOrderId: PaymentOrderId, amount: MinorUnits, currency: Currency, psp: PspName }),
    t.partial({ merchantId: t.string }),
  ]),
);
export type PaymentOrderRequest = t.TypeOf<typeof PaymentOrderRequest>;
