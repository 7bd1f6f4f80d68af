import { maskCardNumbers } from './mask-card-numbers.js';

/** Why a Kafka record could not be read as a PSP result update. */
export type DecodeFailure =
  | { readonly _tag: 'MissingKey' }
  | { readonly _tag: 'EmptyValue' }
  | { readonly _tag: 'ValueTooLarge'; readonly size: number; readonly limit: number }
  | { readonly _tag: 'InvalidJson'; readonly detail: string }
  | { readonly _tag: 'UnsupportedSchemaVersion'; readonly found: string }
  | { readonly _tag: 'SchemaViolation'; readonly errors: readonly string[] }
  | { readonly _tag: 'KeyMismatch'; readonly key: string; readonly paymentOrderId: string };

export type DecodeFailureReason =
  | 'missing-key'
  | 'empty-value'
  | 'value-too-large'
  | 'invalid-json'
  | 'unsupported-schema-version'
  | 'schema-violation'
  | 'key-mismatch';

const reasons: { readonly [K in DecodeFailure['_tag']]: DecodeFailureReason } = {
  MissingKey: 'missing-key',
  EmptyValue: 'empty-value',
  ValueTooLarge: 'value-too-large',
  InvalidJson: 'invalid-json',
  UnsupportedSchemaVersion: 'unsupported-schema-version',
  SchemaViolation: 'schema-violation',
  KeyMismatch: 'key-mismatch',
};

/** A stable code per failure kind, fit for metric labels and dead-letter headers. */
export const decodeFailureReason = (failure: DecodeFailure): DecodeFailureReason => reasons[failure._tag];

const quoteLength = 80;

// Keys, header values and parser messages come from the producer: quoting escapes their line breaks and the
// cut keeps a hostile megabyte out of the log line.
const quote = (s: string): string => JSON.stringify(s.length <= quoteLength ? s : `${s.slice(0, quoteLength)}…`);

const describe = (failure: DecodeFailure): string => {
  switch (failure._tag) {
    case 'MissingKey':
      return 'record has no key';
    case 'EmptyValue':
      return 'record has no value';
    case 'ValueTooLarge':
      return `value of ${failure.size} bytes exceeds the limit of ${failure.limit} bytes`;
    case 'InvalidJson':
      return `value is not valid JSON: ${quote(failure.detail)}`;
    case 'UnsupportedSchemaVersion':
      return `unsupported schema-version header ${quote(failure.found)}`;
    case 'SchemaViolation':
      return `value violates the event schema: ${failure.errors.join('; ')}`;
    case 'KeyMismatch':
      return `key ${quote(failure.key)} differs from paymentOrderId ${quote(failure.paymentOrderId)}`;
    default: {
      const unhandled: never = failure;
      return `unrecognised decode failure ${JSON.stringify(unhandled)}`;
    }
  }
};

export const maxDescriptionLength = 1_000;

/**
 * One log line (no line breaks) of at most `maxDescriptionLength` characters saying what was wrong with the
 * record; card-like digit runs quoted from the record are masked (the dead letter keeps the original).
 */
export const describeDecodeFailure = (failure: DecodeFailure): string => {
  const line = maskCardNumbers(describe(failure));
  return line.length <= maxDescriptionLength ? line : `${line.slice(0, maxDescriptionLength - 1)}…`;
};
