import { hasLengthWithin } from './bounded-string.js';
import { parseIsoInstant } from './iso-instant.js';
import { paymentOrderIdMaxLength } from './payment-order-id.js';
import {
  errorCodeMaxLength,
  errorMessageMaxLength,
  pspReferenceMaxLength,
  type PspResultUpdateEvent,
} from './psp-result-update-event.js';
import { PspStatus } from './psp-status.js';

const boundedOrAbsent = (v: unknown, min: number, max: number): boolean =>
  v === undefined || (typeof v === 'string' && hasLengthWithin(v, min, max));

/**
 * `PspResultUpdateEvent.decode` for the usual record, without io-ts' intermediate objects (this runs once per
 * event): parsed JSON holding the event's own fields only, each valid, gives the object io-ts gives (the
 * fields in the input's order, `eventTime` as a Date). Anything else (an unknown field, a missing or invalid
 * one) gives `undefined`, and the caller asks io-ts, which strips unknown fields or says what is wrong.
 */
export const readPspResultUpdate = (json: unknown): PspResultUpdateEvent | undefined => {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  let eventTime: Date | undefined;
  let required = 0;
  for (const field in o) {
    const v = o[field];
    switch (field) {
      case 'paymentOrderId':
        if (typeof v !== 'string' || !hasLengthWithin(v, 1, paymentOrderIdMaxLength)) return undefined;
        required++;
        break;
      case 'pspStatus':
        if (typeof v !== 'string' || !Object.hasOwn(PspStatus.keys, v)) return undefined;
        required++;
        break;
      case 'eventTime':
        eventTime = typeof v === 'string' ? parseIsoInstant(v) : undefined;
        if (eventTime === undefined) return undefined;
        required++;
        break;
      case 'pspReference':
        if (!boundedOrAbsent(v, 1, pspReferenceMaxLength)) return undefined;
        break;
      case 'errorCode':
        if (!boundedOrAbsent(v, 1, errorCodeMaxLength)) return undefined;
        break;
      case 'errorMessage':
        if (!boundedOrAbsent(v, 0, errorMessageMaxLength)) return undefined;
        break;
      default:
        return undefined;
    }
  }
  if (required !== 3) return undefined;
  const event: Record<string, unknown> = {};
  for (const field in o) event[field] = field === 'eventTime' ? eventTime : o[field];
  return event as PspResultUpdateEvent;
};
