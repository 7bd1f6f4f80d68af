import { Buffer } from 'node:buffer';
import type { IHeaders } from 'kafkajs';

const fromWire = (v: unknown): v is Buffer | string => Buffer.isBuffer(v) || typeof v === 'string';

/**
 * A consumed record's headers as they were on the wire. kafkajs collects repeated headers with an
 * `obj[name] === undefined` test, so a header named like an `Object.prototype` member (`constructor`,
 * `toString`, `__proto__`) arrives as `[<the inherited member>, value]`; those members are dropped here.
 */
export const wireHeaders = (headers: IHeaders | undefined): IHeaders => {
  if (headers === undefined) return {};
  let repeated = false;
  // for…in rather than Object.values: this runs for every consumed record
  for (const name in headers) if (Array.isArray(headers[name])) repeated = true;
  if (!repeated) return headers;
  return Object.fromEntries(
    Object.entries(headers).flatMap(([name, raw]): [string, IHeaders[string]][] => {
      if (!Array.isArray(raw)) return [[name, raw]];
      const values = raw.filter(fromWire);
      return values.length === 0 ? [] : [[name, values.length === 1 ? values[0] : values]];
    }),
  );
};
