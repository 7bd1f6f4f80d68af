import { isoInstantPattern } from './iso-instant.js';
import { paymentOrderIdMaxLength } from './payment-order-id.js';
import { errorCodeMaxLength, errorMessageMaxLength, pspReferenceMaxLength } from './psp-result-update-event.js';
import { pspStatuses } from './psp-status.js';

/**
 * `PspResultUpdateEvent` for producers outside this codebase. The codec is the authority: the schema cannot say
 * that a date such as 2026-13-01 does not exist.
 */
export const pspResultUpdateEventJsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:psp-stream:schema:psp-result-update-event:1',
  title: 'PspResultUpdateEvent',
  description: 'The result a PSP reported for one payment order. Kafka key: paymentOrderId. Header schema-version: 1.',
  type: 'object',
  additionalProperties: true,
  required: ['paymentOrderId', 'pspStatus', 'eventTime'],
  properties: {
    paymentOrderId: { type: 'string', minLength: 1, maxLength: paymentOrderIdMaxLength },
    pspStatus: { type: 'string', enum: pspStatuses },
    eventTime: { type: 'string', format: 'date-time', pattern: isoInstantPattern.source },
    pspReference: { type: 'string', minLength: 1, maxLength: pspReferenceMaxLength },
    errorCode: { type: 'string', minLength: 1, maxLength: errorCodeMaxLength },
    errorMessage: { type: 'string', maxLength: errorMessageMaxLength },
  },
} as const;
