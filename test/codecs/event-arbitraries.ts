import fc from 'fast-check';
import {
  errorCodeMaxLength,
  errorMessageMaxLength,
  PaymentOrderId,
  pspReferenceMaxLength,
  pspStatuses,
} from '../../src/codecs/index.js';
import type { PspResultUpdateEvent } from '../../src/codecs/index.js';

/** Any code point, astral ones included, so length limits are exercised in code points. */
export const text = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: 'binary', minLength, maxLength });

/** Every instant whose ISO-8601 form has a four-digit year. */
export const instant = fc.date({
  min: new Date('0000-01-01T00:00:00.000Z'),
  max: new Date('9999-12-31T23:59:59.999Z'),
  noInvalidDate: true,
});

export const paymentOrderId: fc.Arbitrary<PaymentOrderId> = text(1, 128).filter(PaymentOrderId.is);

export const validEvent: fc.Arbitrary<PspResultUpdateEvent> = fc.record(
  {
    paymentOrderId,
    pspStatus: fc.constantFrom(...pspStatuses),
    eventTime: instant,
    pspReference: text(1, pspReferenceMaxLength),
    errorCode: text(1, errorCodeMaxLength),
    errorMessage: text(0, errorMessageMaxLength),
  },
  { requiredKeys: ['paymentOrderId', 'pspStatus', 'eventTime'] },
);

/** Compares events by value, `eventTime` by the instant it names. */
export const comparable = (event: PspResultUpdateEvent): Record<string, unknown> => ({
  ...event,
  eventTime: event.eventTime.getTime(),
});

export const validJson = {
  paymentOrderId: 'po-1',
  pspStatus: 'SUCCESSFUL',
  eventTime: '2026-11-25T10:00:00Z',
} as const;

/** A consumed record carrying `json` under the right key and headers. */
export const consumed = (json: unknown, key: string | null = 'po-1') => ({
  key,
  value: JSON.stringify(json),
  headers: { 'content-type': 'application/json', 'schema-version': '1' },
});
