import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as t from 'io-ts';
import { Secret } from './secret.js';

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

/** `true`/`false` (also `1`/`0`, `yes`/`no`), any case. */
export const bool = new t.Type<boolean, string, unknown>(
  'true or false',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => {
    const v = typeof u === 'string' ? u.trim().toLowerCase() : undefined;
    if (v === 'true' || v === '1' || v === 'yes') return t.success(true);
    if (v === 'false' || v === '0' || v === 'no') return t.success(false);
    return t.failure(u, c);
  },
  String,
);

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** A readable PEM file (certificate or CA bundle), decoded to its contents. */
export const pemFile = new t.Type<string, string, unknown>(
  'path of a readable PEM file',
  (u): u is string => typeof u === 'string',
  (u, c) => {
    const text = typeof u === 'string' ? readText(u.trim()) : undefined;
    return text?.includes('-----BEGIN ') === true ? t.success(text) : t.failure(u, c);
  },
  String,
);

/** A readable PEM private key file, decoded to its contents, hidden. */
export const pemKeyFile = new t.Type<Secret, string, unknown>(
  'path of a readable PEM private key file',
  (u): u is Secret => u instanceof Secret,
  (u, c) => {
    const text = typeof u === 'string' ? readText(u.trim()) : undefined;
    return text !== undefined && /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)
      ? t.success(new Secret(text))
      : t.failure(u, c);
  },
  () => '[secret]',
);

/** A non-empty secret given in the variable itself. */
export const secretString = new t.Type<Secret, string, unknown>(
  'non-empty string',
  (u): u is Secret => u instanceof Secret,
  (u, c) => (typeof u === 'string' && u !== '' ? t.success(new Secret(u)) : t.failure(u, c)),
  () => '[secret]',
);

/** A readable, non-empty file holding a secret; one trailing newline (as `echo` writes) is not part of it. */
export const secretFile = new t.Type<Secret, string, unknown>(
  'path of a readable, non-empty file',
  (u): u is Secret => u instanceof Secret,
  (u, c) => {
    const text = typeof u === 'string' ? readText(u.trim())?.replace(/\r?\n$/, '') : undefined;
    return text !== undefined && text !== '' ? t.success(new Secret(text)) : t.failure(u, c);
  },
  () => '[secret]',
);

/** A module to import: an existing file (relative to the working directory) or a package name. */
export const modulePath = new t.Type<string, string, unknown>(
  'path of an existing module file, or a package name',
  (u): u is string => typeof u === 'string',
  (u, c) => {
    if (typeof u !== 'string' || u.trim() === '') return t.failure(u, c);
    const v = u.trim();
    if (!v.startsWith('.') && !isAbsolute(v)) return t.success(v);
    const file = resolve(v);
    return existsSync(file) ? t.success(file) : t.failure(u, c);
  },
  String,
);
