import { describe, expect, it } from 'vitest';
import type { PspAnswer } from '../../../src/publisher/psp-client.js';
import { stripeToPspAnswer, type StripeResponse } from '../../../src/publisher/psp/index.js';
import { essentials } from './simulators.js';

const intent = (status: string): StripeResponse =>
  ({ httpStatus: 200, body: { object: 'payment_intent', id: 'pi_1', status } }) as StripeResponse;

const error = (httpStatus: number, type: string, code?: string): StripeResponse =>
  ({
    httpStatus,
    body: {
      error: {
        type,
        ...(code === undefined ? {} : { code, decline_code: code }),
        message: 'A message.',
        ...(httpStatus === 402 ? { payment_intent: { id: 'pi_1', status: 'requires_payment_method' } } : {}),
      },
    },
  }) as StripeResponse;

const table: readonly [string, StripeResponse, ReturnType<typeof essentials>][] = [
  ['succeeded', intent('succeeded'), { pspStatus: 'SUCCESSFUL', pspReference: 'pi_1' }],
  ['processing', intent('processing'), { pspStatus: 'PENDING', pspReference: 'pi_1' }],
  ['requires_action', intent('requires_action'), { pspStatus: 'AUTH_REQUIRED', pspReference: 'pi_1' }],
  ['requires_capture', intent('requires_capture'), { pspStatus: 'CAPTURE_PENDING', pspReference: 'pi_1' }],
  [
    'requires_payment_method without a last error',
    intent('requires_payment_method'),
    { pspStatus: 'DECLINED', pspReference: 'pi_1', errorCode: 'requires_payment_method' },
  ],
  [
    'requires_payment_method after a decline',
    {
      httpStatus: 200,
      body: {
        object: 'payment_intent',
        id: 'pi_1',
        status: 'requires_payment_method',
        last_payment_error: { type: 'card_error', code: 'expired_card', message: 'Your card has expired.' },
      },
    },
    { pspStatus: 'DECLINED', pspReference: 'pi_1', errorCode: 'expired_card' },
  ],
  [
    '402 card_declined',
    error(402, 'card_error', 'card_declined'),
    { pspStatus: 'DECLINED', pspReference: 'pi_1', errorCode: 'card_declined' },
  ],
  [
    '402 insufficient_funds',
    error(402, 'card_error', 'insufficient_funds'),
    { pspStatus: 'DECLINED', pspReference: 'pi_1', errorCode: 'insufficient_funds' },
  ],
  [
    '402 expired_card',
    error(402, 'card_error', 'expired_card'),
    { pspStatus: 'DECLINED', pspReference: 'pi_1', errorCode: 'expired_card' },
  ],
  ['429 rate_limit_error', error(429, 'rate_limit_error'), { pspStatus: 'PSP_UNAVAILABLE', errorCode: 'rate_limited' }],
  ['500 api_error', error(500, 'api_error'), { pspStatus: 'FAILED_TRANSIENT', errorCode: 'api_error' }],
  ['503 api_error', error(503, 'api_error'), { pspStatus: 'PSP_UNAVAILABLE', errorCode: 'api_error' }],
  [
    '400 idempotency_error',
    error(400, 'idempotency_error'),
    { pspStatus: 'UNKNOWN', errorCode: 'unrecognised_response' },
  ],
  [
    '409 idempotency_error',
    error(409, 'idempotency_error'),
    { pspStatus: 'UNKNOWN', errorCode: 'unrecognised_response' },
  ],
  // Unrecognised shapes, as a real API could send them.
  [
    'an unknown intent status',
    intent('canceled'),
    { pspStatus: 'UNKNOWN', pspReference: 'pi_1', errorCode: 'unrecognised_response' },
  ],
  [
    '402 card_error with an unknown code',
    error(402, 'card_error', 'processing_error'),
    { pspStatus: 'UNKNOWN', pspReference: 'pi_1', errorCode: 'unrecognised_response' },
  ],
  [
    '402 that is not a card_error',
    error(402, 'api_error', 'card_declined'),
    { pspStatus: 'UNKNOWN', pspReference: 'pi_1', errorCode: 'unrecognised_response' },
  ],
  ['an unknown HTTP status', error(418, 'api_error'), { pspStatus: 'UNKNOWN', errorCode: 'unrecognised_response' }],
];

describe('stripeToPspAnswer', () => {
  it.each(table)('maps %s', (_name, response, expected) => {
    expect(essentials(stripeToPspAnswer(response))).toEqual(expected);
  });

  it("keeps Stripe's message for declines and errors", () => {
    const answer: PspAnswer = stripeToPspAnswer(error(402, 'card_error', 'card_declined'));
    expect(answer.errorMessage).toBe('A message.');
  });
});
