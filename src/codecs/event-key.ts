import { hash } from 'node:crypto';
import type { PspResultUpdateEvent } from './psp-result-update-event.js';

/**
 * Tells distinct results for one order apart: the same PSP answer, redelivered or republished, always
 * has the same key. A length-prefixed encoding keeps field boundaries unambiguous.
 */
export const eventKeyOf = (event: PspResultUpdateEvent): string => {
  const id = event.paymentOrderId;
  const status = event.pspStatus;
  const reference = event.pspReference ?? '';
  const time = event.eventTime.toISOString();
  // The same bytes as one update per field, `${length}:${field}|` each, hashed in one native call without
  // a Hash object (this runs once per event).
  const framed = `${id.length}:${id}|${status.length}:${status}|${reference.length}:${reference}|${time.length}:${time}|`;
  return hash('sha256', framed, 'base64url').slice(0, 32);
};
