import { describe, expect, it } from 'vitest';
import { adyenToPspAnswer, type AdyenResponse } from '../../../src/publisher/psp/index.js';
import { essentials } from './simulators.js';

const reference = '8812345678901234';

const result = (
  resultCode: string,
  refusal: { refusalReasonCode?: string; refusalReason?: string } = {},
): AdyenResponse => ({ httpStatus: 200, body: { pspReference: reference, resultCode, ...refusal } }) as AdyenResponse;

const serviceError = (status: number, errorCode: string, errorType: string): AdyenResponse =>
  ({ httpStatus: status, body: { status, errorCode, errorType, message: 'A message.' } }) as AdyenResponse;

const table: readonly [string, AdyenResponse, ReturnType<typeof essentials>][] = [
  ['Authorised', result('Authorised'), { pspStatus: 'SUCCESSFUL', pspReference: reference }],
  [
    'Refused 2 Refused',
    result('Refused', { refusalReasonCode: '2', refusalReason: 'Refused' }),
    { pspStatus: 'DECLINED', pspReference: reference, errorCode: '2' },
  ],
  [
    'Refused 5 Blocked Card',
    result('Refused', { refusalReasonCode: '5', refusalReason: 'Blocked Card' }),
    { pspStatus: 'DECLINED', pspReference: reference, errorCode: '5' },
  ],
  [
    'Refused 12 Not enough balance',
    result('Refused', { refusalReasonCode: '12', refusalReason: 'Not enough balance' }),
    { pspStatus: 'DECLINED', pspReference: reference, errorCode: '12' },
  ],
  [
    'Refused with a reason only',
    result('Refused', { refusalReason: 'Expired Card' }),
    { pspStatus: 'DECLINED', pspReference: reference, errorCode: 'Expired Card' },
  ],
  ['Refused with neither', result('Refused'), { pspStatus: 'DECLINED', pspReference: reference, errorCode: 'refused' }],
  ['Cancelled', result('Cancelled'), { pspStatus: 'FAILED', pspReference: reference, errorCode: 'cancelled' }],
  ['Pending', result('Pending'), { pspStatus: 'PENDING', pspReference: reference }],
  ['Received', result('Received'), { pspStatus: 'PENDING', pspReference: reference }],
  [
    'RedirectShopper',
    result('RedirectShopper'),
    { pspStatus: 'AUTH_REQUIRED', pspReference: reference, errorCode: 'RedirectShopper' },
  ],
  [
    'IdentifyShopper',
    result('IdentifyShopper'),
    { pspStatus: 'AUTH_REQUIRED', pspReference: reference, errorCode: 'IdentifyShopper' },
  ],
  [
    'ChallengeShopper',
    result('ChallengeShopper'),
    { pspStatus: 'AUTH_REQUIRED', pspReference: reference, errorCode: 'ChallengeShopper' },
  ],
  [
    'Error with Acquirer Error',
    result('Error', { refusalReasonCode: '4', refusalReason: 'Acquirer Error' }),
    { pspStatus: 'FAILED_TRANSIENT', pspReference: reference, errorCode: '4' },
  ],
  [
    'Error without a code',
    result('Error'),
    { pspStatus: 'FAILED_TRANSIENT', pspReference: reference, errorCode: 'error' },
  ],
  ['422 validation', serviceError(422, '702', 'validation'), { pspStatus: 'FAILED', errorCode: '702' }],
  ['429', serviceError(429, '000', 'security'), { pspStatus: 'PSP_UNAVAILABLE', errorCode: 'rate_limited' }],
  ['500 internal', serviceError(500, '000', 'internal'), { pspStatus: 'FAILED_TRANSIENT', errorCode: '000' }],
  ['503 internal', serviceError(503, '000', 'internal'), { pspStatus: 'PSP_UNAVAILABLE', errorCode: '000' }],
  // Unrecognised shapes, as a real API could send them.
  [
    'an unknown resultCode',
    result('PresentToShopper'),
    { pspStatus: 'UNKNOWN', pspReference: reference, errorCode: 'unrecognised_response' },
  ],
  [
    'an unknown HTTP status',
    serviceError(401, '000', 'security'),
    { pspStatus: 'UNKNOWN', errorCode: 'unrecognised_response' },
  ],
];

describe('adyenToPspAnswer', () => {
  it.each(table)('maps %s', (_name, response, expected) => {
    expect(essentials(adyenToPspAnswer(response))).toEqual(expected);
  });

  it('keeps the refusal reason as the message', () => {
    expect(
      adyenToPspAnswer(result('Refused', { refusalReasonCode: '5', refusalReason: 'Blocked Card' })).errorMessage,
    ).toBe('Blocked Card');
  });
});
