import * as t from 'io-ts';

/** The PSPs psp-stream can route a payment order to. */
export const PspName = t.keyof({ stripe: null, adyen: null });
export type PspName = t.TypeOf<typeof PspName>;
