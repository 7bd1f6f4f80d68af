import {
  firstAttempt,
  type Currency,
  type MinorUnits,
  type PaymentOrderCommand,
  type PaymentOrderId,
} from '../codecs/index.js';

/**
 * Deterministic demo orders (`executor --orders N`): the same count and prefix always give the same
 * commands, first attempts of orders `prefix-0` … `prefix-(count-1)`, alternately at Stripe and Adyen.
 */
export const generatedCommands = (
  count: number,
  prefix: string,
): readonly Extract<PaymentOrderCommand, { type: 'PaymentOrderCreated' }>[] =>
  Array.from({ length: count }, (_, i) => ({
    type: 'PaymentOrderCreated',
    paymentOrderId: `${prefix}-${i}` as PaymentOrderId,
    // 100 … 99,999 minor units: above zero, as MinorUnits requires.
    amount: (100 + ((i * 7919) % 99_900)) as MinorUnits,
    // Both are ISO 4217 codes, as Currency requires.
    currency: (i % 3 === 0 ? 'USD' : 'EUR') as Currency,
    psp: i % 2 === 0 ? 'stripe' : 'adyen',
    attempt: firstAttempt,
  }));
