import type { PaymentOrderId, PspStatus } from '../codecs/index.js';

export type { PspName } from '../codecs/index.js';
import type { PspName } from '../codecs/index.js';

export interface ChargeRequest {
  readonly paymentOrderId: PaymentOrderId;
  /** Minor units (cents). */
  readonly amount: number;
  /** ISO 4217. */
  readonly currency: string;
  /** `paymentOrderId:attempt`: the PSP returns its first answer for a key again and never charges twice. */
  readonly idempotencyKey: string;
}

/** A PSP's answer, already mapped onto the shared status enum. */
export interface PspAnswer {
  readonly pspStatus: PspStatus;
  readonly pspReference?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/**
 * One PSP behind one interface: a simulator today, an HTTP adapter tomorrow. Calls honour `signal`
 * (timeouts and cancellation): an aborted call rejects with the signal's reason.
 */
export interface PspClient {
  readonly name: PspName;
  readonly charge: (request: ChargeRequest, signal: AbortSignal) => Promise<PspAnswer>;
  readonly getStatus: (pspReference: string, signal: AbortSignal) => Promise<PspAnswer>;
}
