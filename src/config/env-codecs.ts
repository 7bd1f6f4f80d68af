import * as t from 'io-ts';

/** Environment variables arrive as strings; these codecs turn them into typed values or say why not. */

export const intInRange = (min: number, max: number): t.Type<number, string> =>
  new t.Type<number, string>(
    `integer in [${min}, ${max}]`,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, c) => {
      if (typeof u !== 'string' || !/^-?\d+$/.test(u.trim())) return t.failure(u, c);
      const n = Number(u);
      return Number.isSafeInteger(n) && n >= min && n <= max ? t.success(n) : t.failure(u, c);
    },
    String,
  );

export const nonEmptyTrimmed = new t.Type<string, string, unknown>(
  'non-empty string',
  (u): u is string => typeof u === 'string' && u.trim() !== '',
  (u, c) => (typeof u === 'string' && u.trim() !== '' ? t.success(u.trim()) : t.failure(u, c)),
  String,
);

/** A comma-separated `host:port` list, as kafkajs takes it. */
export const brokerList = new t.Type<readonly string[], string, unknown>(
  'comma-separated host:port list',
  (u): u is readonly string[] => Array.isArray(u) && u.every((s) => typeof s === 'string'),
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c);
    const parts = u
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    const valid = parts.length > 0 && parts.every((p) => /^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/.test(p));
    return valid ? t.success(parts) : t.failure(u, c);
  },
  (list) => list.join(','),
);

export const mongoUrl = new t.Type<string, string, unknown>(
  'mongodb:// or mongodb+srv:// URL',
  (u): u is string => typeof u === 'string',
  (u, c) =>
    typeof u === 'string' && /^mongodb(\+srv)?:\/\/\S+$/.test(u.trim()) ? t.success(u.trim()) : t.failure(u, c),
  String,
);

export const logLevel = t.keyof({
  fatal: null,
  error: null,
  warn: null,
  info: null,
  debug: null,
  trace: null,
  silent: null,
});
