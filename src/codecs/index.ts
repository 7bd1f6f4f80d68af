export { PaymentOrderId, paymentOrderIdMaxLength } from './payment-order-id.js';
export { PspStatus, pspStatuses } from './psp-status.js';
export { IsoInstant, isoInstantPattern, parseIsoInstant } from './iso-instant.js';
export {
  PspResultUpdateEvent,
  errorCodeMaxLength,
  errorMessageMaxLength,
  pspReferenceMaxLength,
} from './psp-result-update-event.js';
export type { PspResultUpdateEventEncoded } from './psp-result-update-event.js';
export { decodeFailureReason, describeDecodeFailure } from './decode-failure.js';
export type { DecodeFailure, DecodeFailureReason } from './decode-failure.js';
export { describeSchemaErrors } from './describe-schema-errors.js';
export {
  decodePspResultUpdate,
  defaultMaxValueBytes,
  encodePspResultUpdate,
  headerValue,
  schemaVersion,
} from './wire.js';
export type { ConsumedRecord, DecodeOptions, EncodeOptions, WireHeaders, WireRecord } from './wire.js';
export { pspResultUpdateEventJsonSchema } from './json-schema.js';
export { eventKeyOf } from './event-key.js';
export { Currency, MinorUnits } from './currency.js';
export { PspName } from './psp-name.js';
export {
  PaymentOrderCommand,
  commandKeyOf,
  decodePaymentOrderCommand,
  encodePaymentOrderCommand,
  AttemptNumber,
  attemptAfter,
  firstAttempt,
} from './payment-order-command.js';
export { decodeKeyedRecord, encodeKeyedRecord } from './wire.js';
export { PaymentOrderRequest } from './payment-order-request.js';
