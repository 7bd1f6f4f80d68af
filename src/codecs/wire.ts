import type { Buffer } from 'node:buffer';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { DecodeFailure } from './decode-failure.js';
import { describeSchemaErrors } from './describe-schema-errors.js';
import { PspResultUpdateEvent } from './psp-result-update-event.js';
import { readPspResultUpdate } from './psp-result-update-reader.js';

export const schemaVersion = '1';
export const defaultMaxValueBytes = 64 * 1024;

/** A record as handed to the Kafka producer. */
export interface WireRecord {
  key: string;
  value: string;
  headers: Record<string, string>;
}

export type WireHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** A record as handed over by the Kafka consumer: nothing about it is trusted. */
export interface ConsumedRecord {
  key: Buffer | string | null | undefined;
  value: Buffer | string | null | undefined;
  headers?: WireHeaders;
}

export interface EncodeOptions {
  readonly traceparent?: string;
}

export interface DecodeOptions {
  readonly maxValueBytes?: number;
}

const utf8 = new TextEncoder();
const lenientUtf8 = new TextDecoder('utf-8');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

const fields = PspResultUpdateEvent.type.types.flatMap((codec) => Object.keys(codec.props));

/** A record keyed by its payment order, so each order's records keep their order on one partition. */
export const encodeKeyedRecord = (paymentOrderId: string, json: string, opts: EncodeOptions = {}): WireRecord => ({
  key: paymentOrderId,
  value: json,
  headers: {
    'content-type': 'application/json',
    'schema-version': schemaVersion,
    ...(opts.traceparent === undefined || opts.traceparent === '' ? {} : { traceparent: opts.traceparent }),
  },
});

export const encodePspResultUpdate = (event: PspResultUpdateEvent, opts: EncodeOptions = {}): WireRecord =>
  // The field list keeps stray runtime properties off the wire and fixes the field order.
  encodeKeyedRecord(event.paymentOrderId, JSON.stringify(PspResultUpdateEvent.encode(event), fields), opts);

/** A header as text: Buffers read as UTF-8, the first element of a repeated header. */
export const headerValue = (headers: WireHeaders | undefined, name: string): string | undefined => {
  if (headers === undefined || !Object.hasOwn(headers, name)) return undefined;
  const raw = headers[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  return first === undefined || typeof first === 'string' ? first : lenientUtf8.decode(first);
};

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Whether `bytes` are the UTF-8 encoding of `text`; an ASCII text is compared in place, without encoding it. */
const isUtf8Of = (bytes: Uint8Array, text: string): boolean => {
  // Any non-ASCII unit makes the encoding longer than the text: equal lengths can only match all-ASCII.
  if (bytes.length !== text.length) return sameBytes(bytes, utf8.encode(text));
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x80 || bytes[i] !== unit) return false;
  }
  return true;
};

const notUtf8: DecodeFailure = { _tag: 'InvalidJson', detail: 'value is not valid UTF-8' };

// Kafka partitions by key: a key other than the payment order id would put this order's results on
// different partitions and lose their order.
const checkKey = <A extends { readonly paymentOrderId: string }>(
  key: ConsumedRecord['key'],
  event: A,
): E.Either<DecodeFailure, A> => {
  if (key === null || key === undefined || key.length === 0) return E.left({ _tag: 'MissingKey' });
  const matches = typeof key === 'string' ? key === event.paymentOrderId : isUtf8Of(key, event.paymentOrderId);
  if (matches) return E.right(event);
  const keyText = typeof key === 'string' ? key : lenientUtf8.decode(key);
  return E.left({ _tag: 'KeyMismatch', key: keyText, paymentOrderId: event.paymentOrderId });
};

/**
 * Reads a consumed record with `codec`. Never throws: every problem comes back as a `DecodeFailure`.
 * `read`, when given, is a faster reader of the same codec for the usual input: whatever it returns must be
 * what `codec` decodes that input to, and where it returns `undefined` the codec decides.
 */
export const decodeKeyedRecord =
  <A extends { readonly paymentOrderId: string }>(
    codec: t.Decoder<unknown, A>,
    read?: (json: unknown) => A | undefined,
  ) =>
  (message: ConsumedRecord, opts: DecodeOptions = {}): E.Either<DecodeFailure, A> => {
    const { value } = message;
    if (value === null || value === undefined || value.length === 0) return E.left({ _tag: 'EmptyValue' });
    const limit = opts.maxValueBytes ?? defaultMaxValueBytes;
    const size = typeof value === 'string' ? utf8.encode(value).length : value.length;
    if (size > limit) return E.left({ _tag: 'ValueTooLarge', size, limit });
    const version = headerValue(message.headers, 'schema-version') ?? schemaVersion;
    if (version !== schemaVersion) return E.left({ _tag: 'UnsupportedSchemaVersion', found: version });
    // Plain statements rather than a chain of Eithers: this runs once per consumed record.
    let text: string;
    try {
      text = typeof value === 'string' ? value : strictUtf8.decode(value);
    } catch {
      return E.left(notUtf8);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      return E.left({ _tag: 'InvalidJson', detail: e instanceof Error ? e.message : String(e) });
    }
    const fast = read?.(json);
    if (fast !== undefined) return checkKey(message.key, fast);
    const decoded = codec.decode(json);
    if (E.isLeft(decoded)) return E.left({ _tag: 'SchemaViolation', errors: describeSchemaErrors(decoded.left) });
    return checkKey(message.key, decoded.right);
  };

/** Reads a consumed record as a PSP result update. */
export const decodePspResultUpdate: (
  message: ConsumedRecord,
  opts?: DecodeOptions,
) => E.Either<DecodeFailure, PspResultUpdateEvent> = decodeKeyedRecord(PspResultUpdateEvent, readPspResultUpdate);
