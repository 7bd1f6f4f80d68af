import type { PspAnswer, PspClient } from '../psp-client.js';
import type { ChargeOutcome } from './charge-outcome.js';
import { keyedCharacters } from './keyed-random.js';
import { simulatedPsp, type PspDialect } from './simulated-psp.js';
import type { Simulation } from './simulation.js';

export type AdyenResultCode =
  | 'Authorised'
  | 'Refused'
  | 'Pending'
  | 'Received'
  | 'RedirectShopper'
  | 'IdentifyShopper'
  | 'ChallengeShopper'
  | 'Error'
  | 'Cancelled';

/** Adyen's /payments result (HTTP 200, whether or not the payment went through). */
export interface AdyenPaymentResult {
  /** 16 digits, starting 88 here. */
  readonly pspReference: string;
  readonly resultCode: AdyenResultCode;
  readonly refusalReason?: string;
  /** Adyen's own code: '2' Refused, '4' Acquirer Error, '5' Blocked Card, '6' Expired Card, '12' Not enough balance, … */
  readonly refusalReasonCode?: string;
}

export type AdyenErrorStatus = 422 | 429 | 500 | 503;

/** Adyen's service error, returned with an HTTP status other than 200. */
export interface AdyenServiceError {
  readonly status: AdyenErrorStatus;
  readonly errorCode: string;
  readonly errorType: 'validation' | 'security' | 'internal';
  readonly message: string;
}

export type AdyenResponse =
  | { readonly httpStatus: 200; readonly body: AdyenPaymentResult }
  | { readonly httpStatus: AdyenErrorStatus; readonly body: AdyenServiceError };

const unrecognised = (what: string, pspReference?: string): PspAnswer => ({
  pspStatus: 'UNKNOWN',
  ...(pspReference === undefined ? {} : { pspReference }),
  errorCode: 'unrecognised_response',
  errorMessage: `Unrecognised Adyen response: ${what}.`,
});

const withReason = (result: AdyenPaymentResult): { errorMessage?: string } =>
  result.refusalReason === undefined ? {} : { errorMessage: result.refusalReason };

const resultToPspAnswer = (result: AdyenPaymentResult): PspAnswer => {
  const { pspReference } = result;
  switch (result.resultCode) {
    case 'Authorised':
      return { pspStatus: 'SUCCESSFUL', pspReference };
    case 'Refused':
      return {
        pspStatus: 'DECLINED',
        pspReference,
        errorCode: result.refusalReasonCode ?? result.refusalReason ?? 'refused',
        ...withReason(result),
      };
    case 'Cancelled':
      return {
        pspStatus: 'FAILED',
        pspReference,
        errorCode: result.refusalReasonCode ?? 'cancelled',
        ...withReason(result),
      };
    case 'Pending':
    case 'Received':
      return { pspStatus: 'PENDING', pspReference };
    case 'RedirectShopper':
    case 'IdentifyShopper':
    case 'ChallengeShopper':
      return { pspStatus: 'AUTH_REQUIRED', pspReference, errorCode: result.resultCode };
    case 'Error':
      return {
        pspStatus: 'FAILED_TRANSIENT',
        pspReference,
        errorCode: result.refusalReasonCode ?? 'error',
        ...withReason(result),
      };
    default:
      return unrecognised(`resultCode ${String(result.resultCode)}`, pspReference);
  }
};

/** Maps an Adyen response onto the shared PSP status; anything it does not recognise is UNKNOWN. */
export const adyenToPspAnswer = (response: AdyenResponse): PspAnswer => {
  if (response.httpStatus === 200) return resultToPspAnswer(response.body);
  const { httpStatus } = response;
  const { errorCode, message: errorMessage } = response.body;
  switch (httpStatus) {
    case 422:
      // A validation error: the same request will never pass.
      return { pspStatus: 'FAILED', errorCode, errorMessage };
    case 429:
      return { pspStatus: 'PSP_UNAVAILABLE', errorCode: 'rate_limited', errorMessage };
    case 500:
      return { pspStatus: 'FAILED_TRANSIENT', errorCode, errorMessage };
    case 503:
      return { pspStatus: 'PSP_UNAVAILABLE', errorCode, errorMessage };
    default:
      return unrecognised(`HTTP ${String(httpStatus)}`);
  }
};

interface Refusal {
  readonly code: string;
  readonly reason: string;
}

const result = (pspReference: string, resultCode: AdyenResultCode, refusal?: Refusal): AdyenResponse => ({
  httpStatus: 200,
  body: {
    pspReference,
    resultCode,
    ...(refusal === undefined ? {} : { refusalReasonCode: refusal.code, refusalReason: refusal.reason }),
  },
});

const serviceError = (
  status: AdyenErrorStatus,
  errorCode: string,
  errorType: AdyenServiceError['errorType'],
  message: string,
): AdyenResponse => ({ httpStatus: status, body: { status, errorCode, errorType, message } });

const declines: readonly [Refusal, ...Refusal[]] = [
  { code: '2', reason: 'Refused' },
  { code: '5', reason: 'Blocked Card' },
  { code: '6', reason: 'Expired Card' },
];
const notEnoughBalance: Refusal = { code: '12', reason: 'Not enough balance' };
const shopperActions = ['RedirectShopper', 'IdentifyShopper', 'ChallengeShopper'] as const;

const pick = <T>(choices: readonly [T, ...T[]], random: () => number): T =>
  choices[Math.floor(random() * choices.length)] ?? choices[0];

const respond = (
  outcome: Exclude<ChargeOutcome, 'timeout'>,
  reference: string,
  random: () => number,
): AdyenResponse => {
  switch (outcome) {
    case 'success':
      return result(reference, 'Authorised');
    case 'decline':
      return result(reference, 'Refused', pick(declines, random));
    case 'insufficientFunds':
      return result(reference, 'Refused', notEnoughBalance);
    case 'serverError':
      return pick<() => AdyenResponse>(
        [
          () => serviceError(500, '000', 'internal', 'An internal error occurred.'),
          () => serviceError(503, '000', 'internal', 'The service is temporarily unavailable.'),
          () => result(reference, 'Error', { code: '4', reason: 'Acquirer Error' }),
        ],
        random,
      )();
    case 'rateLimit':
      return serviceError(429, '000', 'security', 'Too many requests.');
    case 'pending':
      return result(reference, 'Pending');
    case 'authRequired':
      return result(reference, pick(shopperActions, random));
    case 'capturePending':
      // Adyen has no capture-pending result: an asynchronous payment is Received, its outcome comes later.
      return result(reference, 'Received');
  }
};

const settle = (succeeded: boolean, reference: string): AdyenResponse =>
  succeeded ? result(reference, 'Authorised') : result(reference, 'Refused', declines[0]);

export const adyenDialect: PspDialect<AdyenResponse> = {
  name: 'adyen',
  referenceFor: (seed, idempotencyKey) => `88${keyedCharacters(seed, `adyen:${idempotencyKey}`, '0123456789', 14)}`,
  respond,
  settle,
  toAnswer: adyenToPspAnswer,
};

/**
 * An Adyen-like PSP: resultCodes, refusal reasons and service errors, mapped onto PspAnswer. Like Adyen,
 * it matches on the idempotency key alone: a reused key gets the first answer whatever the request.
 */
export const adyenSimulator = (sim: Simulation): PspClient => simulatedPsp(sim, adyenDialect);
