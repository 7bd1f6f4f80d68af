import { Buffer } from 'node:buffer';
import type { PaymentOrderId } from '../../src/codecs/index.js';

/** A record no worker may apply, with the `dlq-reason` it must be dead-lettered with. */
export interface HostileMessage {
  readonly kind: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers: Readonly<Record<string, Buffer | string>>;
  readonly reason: string;
}

/** Card-like digit runs and a marker planted in hostile payloads: none of them may reach a log line. */
export const leakCanaries = ['4111111111111111', '4111 1111 1111 1111', '5500-0000-0000-0004', 'RAW-PAYLOAD-CANARY'];

const [pan = '', spacedPan = '', dashedPan = '', marker = ''] = leakCanaries;
const secretText = `${marker} card ${pan} / ${spacedPan} / ${dashedPan} ${marker}`;

const jsonHeaders = { 'content-type': 'application/json', 'schema-version': '1' } as const;
const eventTime = '2026-11-25T11:00:00Z';

interface Context {
  readonly random: () => number;
  /** Ids of orders that exist: hostile records naming them must still change nothing. */
  readonly liveIds: readonly PaymentOrderId[];
  readonly index: number;
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const between = (random: () => number, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1));
const letters = (random: () => number, n: number): string =>
  Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(random() * 26))).join('');

/** A well-formed event that, applied, would end a live order as DECLINED. */
const decliningEvent = (c: Context): { readonly id: PaymentOrderId; readonly json: string } => {
  const id = pick(c.random, c.liveIds);
  return {
    id,
    json: JSON.stringify({ paymentOrderId: id, pspStatus: 'DECLINED', eventTime, pspReference: `hostile-${c.index}` }),
  };
};

const message = (
  kind: string,
  reason: string,
  key: HostileMessage['key'],
  value: HostileMessage['value'],
  headers: HostileMessage['headers'] = jsonHeaders,
): HostileMessage => ({ kind, key, value, headers, reason });

const generators: readonly ((c: Context) => HostileMessage)[] = [
  (c) => {
    // A 0xFF byte never occurs in UTF-8.
    const bytes = Buffer.from(Array.from({ length: between(c.random, 8, 400) }, () => Math.floor(c.random() * 256)));
    return message('random-bytes', 'invalid-json', `rb-${c.index}`, Buffer.concat([Buffer.from([0xff]), bytes]));
  },
  (c) =>
    message(
      'random-text',
      'invalid-json',
      `rt-${c.index}`,
      `${letters(c.random, between(c.random, 8, 200))} ${secretText}`,
    ),
  (c) => {
    const json = JSON.stringify({
      paymentOrderId: pick(c.random, c.liveIds),
      pspStatus: 'DECLINED',
      eventTime,
      errorMessage: secretText,
    });
    return message(
      'truncated-json',
      'invalid-json',
      `tj-${c.index}`,
      json.slice(0, between(c.random, 1, json.length - 1)),
    );
  },
  (c) => {
    const wrong: readonly unknown[] = [
      { paymentOrderId: 42, pspStatus: 'PENDING', eventTime },
      { paymentOrderId: `po-${c.index}`, pspStatus: 1, eventTime },
      { paymentOrderId: `po-${c.index}`, pspStatus: 'PENDING', eventTime: true },
      { paymentOrderId: `po-${c.index}`, pspStatus: 'PENDING', eventTime, pspReference: {} },
      { paymentOrderId: `po-${c.index}`, pspStatus: 'PENDING', eventTime, errorMessage: [secretText] },
      { paymentOrderId: Number(pan), pspStatus: spacedPan, eventTime: dashedPan, errorCode: pan },
      { paymentOrderId: 'x'.repeat(129), pspStatus: 'PENDING', eventTime },
      [1, 2, 3],
      'SUCCESSFUL',
      Number(pan),
      null,
      true,
      {},
    ];
    return message('wrong-types', 'schema-violation', `wt-${c.index}`, JSON.stringify(pick(c.random, wrong)));
  },
  (c) => {
    const status = pick(c.random, ['REFUNDED', 'successful', '', ' SUCCESSFUL', 'CHARGEBACK', 'SUCCESSFUL\u0000', pan]);
    const json = JSON.stringify({ paymentOrderId: pick(c.random, c.liveIds), pspStatus: status, eventTime });
    return message('unknown-status', 'schema-violation', `us-${c.index}`, json);
  },
  (c) => {
    const { json } = decliningEvent(c);
    return message('missing-key', 'missing-key', c.random() < 0.5 ? null : '', json);
  },
  (c) => message('empty-value', 'empty-value', `ev-${c.index}`, pick(c.random, [null, Buffer.alloc(0), ''])),
  (c) => {
    const time = pick(c.random, [
      '2026-13-01T00:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-11-25 10:00:00',
      '2026-11-25T10:00:00',
      '2026-11-25T24:00:00Z',
      'yesterday',
      '',
      1764064800000,
    ]);
    const json = JSON.stringify({ paymentOrderId: pick(c.random, c.liveIds), pspStatus: 'DECLINED', eventTime: time });
    return message('invalid-date', 'schema-violation', `id-${c.index}`, json);
  },
  (c) => {
    const id = pick(c.random, c.liveIds);
    const values = [
      '{"$where": "sleep(1000) || true"}',
      JSON.stringify({ paymentOrderId: { $ne: null }, pspStatus: 'DECLINED', eventTime }),
      JSON.stringify({ paymentOrderId: id, pspStatus: "'; DROP TABLE payment_orders; --", eventTime }),
      JSON.stringify({ paymentOrderId: id, pspStatus: { $in: ['DECLINED'] }, eventTime }),
      `{"__proto__": {"pspStatus": "DECLINED"}, "paymentOrderId": ${JSON.stringify(id)}, "eventTime": "${eventTime}"}`,
      `{"constructor": {"prototype": {"pspStatus": "DECLINED"}}, "paymentOrderId": ${JSON.stringify(id)}, "eventTime": "${eventTime}"}`,
    ];
    return message('injection', 'schema-violation', id, pick(c.random, values));
  },
  (c) => {
    // Well-formed, so they reach the store as literal ids: there is no such order.
    const id = pick(c.random, [
      "'; DROP TABLE payment_orders; --",
      '{"$where": "1"}',
      '$where',
      '__proto__',
      'constructor',
    ]);
    return message(
      'injection-id',
      'unknown-order',
      id,
      JSON.stringify({ paymentOrderId: id, pspStatus: 'DECLINED', eventTime }),
    );
  },
  (c) => {
    const { json } = decliningEvent(c);
    return message('key-mismatch', 'key-mismatch', `${pick(c.random, c.liveIds)}-other`, json);
  },
  (c) => {
    const { id, json } = decliningEvent(c);
    const version = pick(c.random, ['2', '0', '', 'v1', ' 1', '1.0', Buffer.from([0xff, 0xfe])]);
    return message('schema-version', 'unsupported-schema-version', id, json, {
      ...jsonHeaders,
      'schema-version': version,
    });
  },
  (c) => {
    const headers = Object.fromEntries([
      ['__proto__', 'proto'],
      ['constructor', 'ctor'],
      ['toString', 'ts'],
      ['hasOwnProperty', 'hop'],
      ['schema-version', '1'],
    ]) as Record<string, string>;
    return message('prototype-headers', 'schema-violation', `ph-${c.index}`, '{}', headers);
  },
];

/** A value over the decoder's 64 KiB limit: a valid event for a live order, padded. */
export const oversized = (c: Context, bytes: number): HostileMessage => {
  const { id } = decliningEvent(c);
  const head = JSON.stringify({ paymentOrderId: id, pspStatus: 'DECLINED', eventTime, errorMessage: '' }).slice(0, -2);
  const value = Buffer.alloc(bytes, 'x');
  value.write(`${head}${secretText}`);
  value.write('"}', bytes - 2);
  return message('oversized', 'value-too-large', id, value);
};

/** `count` hostile records of every kind above, seeded. */
export const hostileMessages = (
  count: number,
  random: () => number,
  liveIds: readonly PaymentOrderId[],
): readonly HostileMessage[] =>
  Array.from({ length: count }, (_, index) => pick(random, generators)({ random, liveIds, index }));

/**
 * Oversized records for one order, published back to back: under backlog the worker takes many of them in one
 * batch, more together than a record batch may hold.
 */
export const oversizedBurst = (
  count: number,
  bytes: number,
  random: () => number,
  liveIds: readonly PaymentOrderId[],
): readonly HostileMessage[] => {
  const id = pick(random, liveIds);
  return Array.from({ length: count }, (_, index) => ({
    ...oversized({ random, liveIds: [id], index }, bytes),
    kind: 'burst',
  }));
};

/** Oversized records of the given sizes. */
export const oversizedMessages = (
  sizes: readonly number[],
  random: () => number,
  liveIds: readonly PaymentOrderId[],
): readonly HostileMessage[] => sizes.map((bytes, index) => oversized({ random, liveIds, index }, bytes));
