import type { PspAnswer, PspClient } from '../psp-client.js';
import type { ChargeOutcome } from './charge-outcome.js';
import { keyedCharacters } from './keyed-random.js';
import { simulatedPsp, type PspDialect } from './simulated-psp.js';
import type { Simulation } from './simulation.js';

export type StripeIntentStatus =
  'succeeded' | 'processing' | 'requires_action' | 'requires_capture' | 'requires_payment_method';

export type StripeErrorType = 'card_error' | 'api_error' | 'rate_limit_error' | 'idempotency_error';
export type StripeCardErrorCode = 'card_declined' | 'insufficient_funds' | 'expired_card';

export interface StripeError {
  readonly type: StripeErrorType;
  readonly code?: StripeCardErrorCode;
  readonly decline_code?: string;
  readonly message: string;
  /** Card errors name the PaymentIntent they left in `requires_payment_method`. */
  readonly payment_intent?: { readonly id: string; readonly status: StripeIntentStatus };
}

export interface StripePaymentIntent {
  readonly object: 'payment_intent';
  readonly id: string;
  readonly status: StripeIntentStatus;
  /** Why the last confirmation failed, on an intent back in `requires_payment_method`. */
  readonly last_payment_error?: StripeError;
}

export type StripeErrorStatus = 400 | 402 | 409 | 429 | 500 | 503;

/** What Stripe's API answers a confirm or retrieve with: an intent (200), or an error with its HTTP status. */
export type StripeResponse =
  | { readonly httpStatus: 200; readonly body: StripePaymentIntent }
  | { readonly httpStatus: StripeErrorStatus; readonly body: { readonly error: StripeError } };

const unrecognised = (what: string, pspReference?: string): PspAnswer => ({
  pspStatus: 'UNKNOWN',
  ...(pspReference === undefined ? {} : { pspReference }),
  errorCode: 'unrecognised_response',
  errorMessage: `Unrecognised Stripe response: ${what}.`,
});

const intentToPspAnswer = (intent: StripePaymentIntent): PspAnswer => {
  const pspReference = intent.id;
  switch (intent.status) {
    case 'succeeded':
      return { pspStatus: 'SUCCESSFUL', pspReference };
    case 'processing':
      return { pspStatus: 'PENDING', pspReference };
    case 'requires_action':
      return { pspStatus: 'AUTH_REQUIRED', pspReference };
    case 'requires_capture':
      return { pspStatus: 'CAPTURE_PENDING', pspReference };
    case 'requires_payment_method': {
      // After a confirmation, this status means the payment method failed: a decline.
      const failure = intent.last_payment_error;
      return {
        pspStatus: 'DECLINED',
        pspReference,
        errorCode: failure?.code ?? 'requires_payment_method',
        ...(failure === undefined ? {} : { errorMessage: failure.message }),
      };
    }
    default:
      return unrecognised(`intent status ${String(intent.status)}`, pspReference);
  }
};

const isCardErrorCode = (code: unknown): code is StripeCardErrorCode =>
  code === 'card_declined' || code === 'insufficient_funds' || code === 'expired_card';

/** Maps a Stripe response onto the shared PSP status; anything it does not recognise is UNKNOWN. */
export const stripeToPspAnswer = (response: StripeResponse): PspAnswer => {
  if (response.httpStatus === 200) return intentToPspAnswer(response.body);
  const { httpStatus } = response;
  const { error } = response.body;
  switch (httpStatus) {
    case 402: {
      const pspReference = error.payment_intent?.id;
      if (error.type !== 'card_error' || !isCardErrorCode(error.code)) {
        return unrecognised(`402 ${error.type} ${error.code ?? 'without code'}`, pspReference);
      }
      return {
        pspStatus: 'DECLINED',
        ...(pspReference === undefined ? {} : { pspReference }),
        errorCode: error.code,
        errorMessage: error.message,
      };
    }
    case 429:
      return { pspStatus: 'PSP_UNAVAILABLE', errorCode: 'rate_limited', errorMessage: error.message };
    case 500:
      return { pspStatus: 'FAILED_TRANSIENT', errorCode: error.type, errorMessage: error.message };
    case 503:
      return { pspStatus: 'PSP_UNAVAILABLE', errorCode: error.type, errorMessage: error.message };
    case 400:
    case 409:
      // An idempotency_error is the caller's mistake (a key reused for another request): not a payment result.
      return unrecognised(`${httpStatus} ${error.type}`);
    default:
      return unrecognised(`HTTP ${String(httpStatus)}`);
  }
};

const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const intent = (id: string, status: StripeIntentStatus): StripeResponse => ({
  httpStatus: 200,
  body: { object: 'payment_intent', id, status },
});

const cardError = (id: string, code: StripeCardErrorCode, decline_code: string, message: string): StripeResponse => ({
  httpStatus: 402,
  body: {
    error: {
      type: 'card_error',
      code,
      decline_code,
      message,
      payment_intent: { id, status: 'requires_payment_method' },
    },
  },
});

const apiError = (httpStatus: 500 | 503, message: string): StripeResponse => ({
  httpStatus,
  body: { error: { type: 'api_error', message } },
});

const respond = (outcome: Exclude<ChargeOutcome, 'timeout'>, id: string, random: () => number): StripeResponse => {
  switch (outcome) {
    case 'success':
      return intent(id, 'succeeded');
    case 'decline':
      return random() < 0.8
        ? cardError(id, 'card_declined', random() < 0.5 ? 'generic_decline' : 'do_not_honor', 'Your card was declined.')
        : cardError(id, 'expired_card', 'expired_card', 'Your card has expired.');
    case 'insufficientFunds':
      return cardError(id, 'insufficient_funds', 'insufficient_funds', 'Your card has insufficient funds.');
    case 'serverError':
      return random() < 0.5
        ? apiError(500, 'An error occurred with our connection to Stripe.')
        : apiError(503, 'Stripe is temporarily unavailable.');
    case 'rateLimit':
      return {
        httpStatus: 429,
        body: { error: { type: 'rate_limit_error', message: 'Too many requests hit the API too quickly.' } },
      };
    case 'pending':
      return intent(id, 'processing');
    case 'authRequired':
      return intent(id, 'requires_action');
    case 'capturePending':
      return intent(id, 'requires_capture');
  }
};

const settle = (succeeded: boolean, id: string): StripeResponse =>
  succeeded
    ? intent(id, 'succeeded')
    : {
        httpStatus: 200,
        body: {
          object: 'payment_intent',
          id,
          status: 'requires_payment_method',
          last_payment_error: {
            type: 'card_error',
            code: 'card_declined',
            decline_code: 'generic_decline',
            message: 'Your card was declined.',
          },
        },
      };

const keyReused = (): StripeResponse => ({
  httpStatus: 400,
  body: {
    error: {
      type: 'idempotency_error',
      message: 'Keys for idempotent requests can only be used with the same parameters they were first used with.',
    },
  },
});

export const stripeDialect: PspDialect<StripeResponse> = {
  name: 'stripe',
  referenceFor: (seed, idempotencyKey) => `pi_${keyedCharacters(seed, `stripe:${idempotencyKey}`, base62, 24)}`,
  respond,
  settle,
  keyReused,
  toAnswer: stripeToPspAnswer,
};

/**
 * A Stripe-like PSP: PaymentIntent statuses and Stripe's error shapes, mapped onto PspAnswer. A key
 * reused for a different request gets Stripe's idempotency_error (UNKNOWN), not the first answer.
 */
export const stripeSimulator = (sim: Simulation): PspClient => simulatedPsp(sim, stripeDialect);
