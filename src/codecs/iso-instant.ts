import * as t from 'io-ts';

/** `YYYY-MM-DDTHH:mm:ss[.fraction](Z|±HH:mm)`: the shape of an ISO-8601 instant; ranges are checked separately. */
export const isoInstantPattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

const daysInMonth = (year: number, month: number): number => {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
};

/** Two ASCII digits at `at` as a number, or -1. */
const twoDigits = (s: string, at: number): number => {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
};

const dash = 45;
const colon = 58;
const dot = 46;
// 400 Gregorian years are exactly 146,097 days: shifts years 0-99 out of Date.UTC's 1900-1999 mapping.
const fourCenturiesMs = 146_097 * 86_400_000;
const firstMs = -62_167_219_200_000; // 0000-01-01T00:00:00Z
const pastLastMs = 253_402_300_800_000; // 10000-01-01T00:00:00Z

/**
 * The instant a strict ISO-8601 string names, or `undefined` when the string is not one: exactly the strings
 * `isoInstantPattern` matches with valid ranges, read character by character (this runs once per event).
 */
export const parseIsoInstant = (s: string): Date | undefined => {
  const n = s.length;
  if (n < 20) return undefined;
  const century = twoDigits(s, 0);
  const yy = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return undefined;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  if (s.charCodeAt(4) !== dash || s.charCodeAt(7) !== dash || s.charCodeAt(10) !== 84 /* T */) return undefined;
  if (s.charCodeAt(13) !== colon || s.charCodeAt(16) !== colon) return undefined;
  const year = century * 100 + yy;
  if (day > daysInMonth(year, month)) return undefined;
  let at = 19;
  let millis = 0;
  if (s.charCodeAt(at) === dot) {
    at++;
    const from = at;
    while (at < n && at - from < 9) {
      const d = s.charCodeAt(at) - 48;
      if (d < 0 || d > 9) break;
      // The first three digits are the milliseconds; the rest is cut, as before.
      if (at - from < 3) millis += d * (at - from === 0 ? 100 : at - from === 1 ? 10 : 1);
      at++;
    }
    if (at === from) return undefined;
  }
  let offsetMinutes = 0;
  const zone = s.charCodeAt(at);
  if (zone === 90 /* Z */) {
    if (at + 1 !== n) return undefined;
  } else if (zone === 43 /* + */ || zone === dash) {
    if (at + 6 !== n || s.charCodeAt(at + 3) !== colon) return undefined;
    const oh = twoDigits(s, at + 1);
    const om = twoDigits(s, at + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return undefined;
    offsetMinutes = (zone === dash ? -1 : 1) * (oh * 60 + om);
  } else return undefined;
  const ms = Date.UTC(year + 400, month - 1, day, hour, minute - offsetMinutes, second, millis) - fourCenturiesMs;
  // An offset can carry 9999-12-31 into year 10000, which toISOString would write in a form this parser rejects.
  return ms >= firstMs && ms < pastLastMs ? new Date(ms) : undefined;
};

const isValidDate = (u: unknown): u is Date => u instanceof Date && !Number.isNaN(u.getTime());

/** An instant on the wire: a strict ISO-8601 string with a zone, decoded to a `Date`, encoded with `toISOString()`. */
export const IsoInstant = new t.Type<Date, string, unknown>(
  'ISO-8601 instant with zone',
  isValidDate,
  (u, c) => {
    const date = typeof u === 'string' ? parseIsoInstant(u) : undefined;
    return date === undefined ? t.failure(u, c) : t.success(date);
  },
  (date) => date.toISOString(),
);
export type IsoInstant = t.TypeOf<typeof IsoInstant>;
