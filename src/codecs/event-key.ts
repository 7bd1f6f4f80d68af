import { createHash } from 'node:crypto';
import type { PspResultUpdateEvent } from './psp-result-update-event.js';

/**
 * Tells distinct results for one order apart: the same PSP answer, redelivered or republished, always
 * has the same key. A length-prefixed encoding keeps field boundaries unambiguous.
 */
export const eventKeyOf = (event: PspResultUpdateEvent): string => {
  const parts = [event.paymentOrderId, event.pspStatus, event.pspReference ?? '', event.eventTime.toISOString()];
  const hash = createHash('sha256');
  for (const p of parts) hash.update(`${p.length}:${p}|`);
  return hash.digest('base64url').slice(0, 32);
};
