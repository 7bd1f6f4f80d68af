import type { Buffer } from 'node:buffer';
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import * as J from 'fp-ts/lib/Json.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { DecodeFailure } from './decode-failure.js';
import { describeSchemaErrors } from './describe-schema-errors.js';
import { PspResultUpdateEvent } from './psp-result-update-event.js';

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

const textOf = (value: Buffer | string): E.Either<DecodeFailure, string> =>
  typeof value === 'string'
    ? E.right(value)
    : E.tryCatch(
        () => strictUtf8.decode(value),
        (): DecodeFailure => ({ _tag: 'InvalidJson', detail: 'value is not valid UTF-8' }),
      );

const parseJson = (text: string): E.Either<DecodeFailure, unknown> =>
  pipe(
    J.parse(text),
    E.mapLeft((e): DecodeFailure => ({ _tag: 'InvalidJson', detail: e instanceof Error ? e.message : String(e) })),
  );

const decodeWith =
  <A>(codec: t.Decoder<unknown, A>) =>
  (json: unknown): E.Either<DecodeFailure, A> =>
    pipe(
      codec.decode(json),
      E.mapLeft((errors): DecodeFailure => ({ _tag: 'SchemaViolation', errors: describeSchemaErrors(errors) })),
    );

// Kafka partitions by key: a key other than the payment order id would put this order's results on
// different partitions and lose their order.
const checkKey =
  (key: ConsumedRecord['key']) =>
  <A extends { readonly paymentOrderId: string }>(event: A): E.Either<DecodeFailure, A> => {
    if (key === null || key === undefined || key.length === 0) return E.left({ _tag: 'MissingKey' });
    const matches =
      typeof key === 'string' ? key === event.paymentOrderId : sameBytes(key, utf8.encode(event.paymentOrderId));
    if (matches) return E.right(event);
    const keyText = typeof key === 'string' ? key : lenientUtf8.decode(key);
    return E.left({ _tag: 'KeyMismatch', key: keyText, paymentOrderId: event.paymentOrderId });
  };

/** Reads a consumed record with `codec`. Never throws: every problem comes back as a `DecodeFailure`. */
export const decodeKeyedRecord =
  <A extends { readonly paymentOrderId: string }>(codec: t.Decoder<unknown, A>) =>
  (message: ConsumedRecord, opts: DecodeOptions = {}): E.Either<DecodeFailure, A> => {
    const { value } = message;
    if (value === null || value === undefined || value.length === 0) return E.left({ _tag: 'EmptyValue' });
    const limit = opts.maxValueBytes ?? defaultMaxValueBytes;
    const size = typeof value === 'string' ? utf8.encode(value).length : value.length;
    if (size > limit) return E.left({ _tag: 'ValueTooLarge', size, limit });
    const version = headerValue(message.headers, 'schema-version') ?? schemaVersion;
    if (version !== schemaVersion) return E.left({ _tag: 'UnsupportedSchemaVersion', found: version });
    return pipe(textOf(value), E.flatMap(parseJson), E.flatMap(decodeWith(codec)), E.flatMap(checkKey(message.key)));
  };

/** Reads a consumed record as a PSP result update. */
export const decodePspResultUpdate: (
  message: ConsumedRecord,
  opts?: DecodeOptions,
) => E.Either<DecodeFailure, PspResultUpdateEvent> = decodeKeyedRecord(PspResultUpdateEvent);
