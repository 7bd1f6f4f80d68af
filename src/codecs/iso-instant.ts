import * as t from 'io-ts';

/** `YYYY-MM-DDTHH:mm:ss[.fraction](Z|±HH:mm)`: the shape of an ISO-8601 instant; ranges are checked separately. */
export const isoInstantPattern =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

const daysInMonth = (year: number, month: number): number => {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
};

/** The instant a strict ISO-8601 string names, or `undefined` when the string is not one. */
export const parseIsoInstant = (s: string): Date | undefined => {
  const m = isoInstantPattern.exec(s);
  if (m === null) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map(Number);
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const sign = m[8] === '-' ? -1 : 1;
  const offsetHours = Number(m[9] ?? '0');
  const offsetMinutes = Number(m[10] ?? '0');
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  // Date.UTC maps years 0-99 to 1900-1999, so the year is set on its own.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour - sign * offsetHours, minute - sign * offsetMinutes, second, millis);
  // An offset can carry 9999-12-31 into year 10000, which toISOString would write in a form this parser rejects.
  const utcYear = date.getUTCFullYear();
  return utcYear >= 0 && utcYear <= 9999 ? date : undefined;
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
