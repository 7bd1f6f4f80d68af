import * as t from 'io-ts';
import { boundedString } from './bounded-string.js';
import { IsoInstant } from './iso-instant.js';
import { PaymentOrderId } from './payment-order-id.js';
import { PspStatus } from './psp-status.js';

export { paymentOrderIdMaxLength } from './payment-order-id.js';
export const pspReferenceMaxLength = 128;
export const errorCodeMaxLength = 64;
export const errorMessageMaxLength = 1024;

/**
 * What a PSP reported for one payment order. Decoding strips unknown fields, so producers may add
 * fields without breaking consumers.
 */
export const PspResultUpdateEvent = t.exact(
  t.intersection([
    t.type({
      paymentOrderId: PaymentOrderId,
      pspStatus: PspStatus,
      eventTime: IsoInstant,
    }),
    t.partial({
      pspReference: boundedString(1, pspReferenceMaxLength),
      errorCode: boundedString(1, errorCodeMaxLength),
      errorMessage: boundedString(0, errorMessageMaxLength),
    }),
  ]),
  'PspResultUpdateEvent',
);
export type PspResultUpdateEvent = t.TypeOf<typeof PspResultUpdateEvent>;
export type PspResultUpdateEventEncoded = t.OutputOf<typeof PspResultUpdateEvent>;
