import * as t from 'io-ts';

/** The status a PSP reports for a payment order. What each status means for the order is decided elsewhere. */
export const PspStatus = t.keyof({
  SUCCESSFUL: null,
  DECLINED: null,
  FAILED: null,
  TIMEOUT: null,
  PSP_UNAVAILABLE: null,
  FAILED_TRANSIENT: null,
  PENDING: null,
  AUTH_REQUIRED: null,
  CAPTURE_PENDING: null,
  UNKNOWN: null,
});
export type PspStatus = t.TypeOf<typeof PspStatus>;

export const pspStatuses: readonly PspStatus[] = Object.freeze(Object.keys(PspStatus.keys) as PspStatus[]);
