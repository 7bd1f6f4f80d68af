import { createHash } from 'node:crypto';
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
  // The same bytes as one update per field, `${length}:${field}|` each, in one native call.
  const framed = `${id.length}:${id}|${status.length}:${status}|${reference.length}:${reference}|${time.length}:${time}|`;
  return createHash('sha256').update(framed).digest('base64url').slice(0, 32);
};
