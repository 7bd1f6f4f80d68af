import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { IsoInstant, isoInstantPattern, parseIsoInstant } from '../../src/codecs/index.js';
import { instant } from './event-arbitraries.js';

const instantOf = (input: unknown): number | undefined =>
  E.match(
    () => undefined,
    (date: Date) => date.getTime(),
  )(IsoInstant.decode(input));

const withOffset = (date: Date, offsetMinutes: number): string => {
  const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const hh = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
  const mm = String(Math.abs(offsetMinutes) % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
};

/** The parser as first defined, through the pattern: the reference the character-by-character parser must equal. */
const firstDefinition = (s: string): Date | undefined => {
  const m = isoInstantPattern.exec(s);
  if (m === null) return undefined;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map(Number);
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const sign = m[8] === '-' ? -1 : 1;
  const offsetHours = Number(m[9] ?? '0');
  const offsetMinutes = Number(m[10] ?? '0');
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (month < 1 || month > 12 || day < 1 || day > days) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour - sign * offsetHours, minute - sign * offsetMinutes, second, millis);
  const utcYear = date.getUTCFullYear();
  return utcYear >= 0 && utcYear <= 9999 ? date : undefined;
};

/** ISO-like strings: valid ones in any zone and precision, then with characters replaced, cut or added. */
const isoLike: fc.Arbitrary<string> = fc
  .tuple(
    instant,
    fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
    fc.constantFrom('', '.', '.5', '.12', '.123', '.1234', '.123456789', '.1234567890'),
    fc.boolean(),
    fc.array(
      fc.tuple(
        fc.nat(40),
        fc.constantFrom('', '0', '9', '1', '2', '3', '5', 'Z', '+', '-', ':', 'T', '.', ' ', 'x', '\n', '٣'),
      ),
      {
        maxLength: 2,
      },
    ),
  )
  .map(([date, offset, fraction, zulu, edits]) => {
    let s = zulu
      ? date.toISOString().slice(0, 19) + fraction + 'Z'
      : withOffset(date, offset).replace(/\.\d{3}/, fraction);
    for (const [at, c] of edits) s = s.slice(0, at % (s.length + 1)) + c + s.slice((at % (s.length + 1)) + (at % 2));
    return s;
  });

describe('parseIsoInstant', () => {
  it('accepts and reads exactly what the pattern-based parser did', () => {
    fc.assert(
      fc.property(fc.oneof(isoLike, fc.string({ maxLength: 40 })), (s) => {
        expect(parseIsoInstant(s)?.getTime()).toBe(firstDefinition(s)?.getTime());
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([
    '0000-01-01T00:00:00Z',
    '0099-12-31T23:59:59.999Z',
    '0000-01-01T00:30:00+01:00',
    '0100-02-29T00:00:00Z',
    '0000-02-29T12:00:00Z',
  ])('reads the early year %s as the pattern-based parser did', (s) => {
    expect(parseIsoInstant(s)?.getTime()).toBe(firstDefinition(s)?.getTime());
  });
});

describe('IsoInstant', () => {
  it.each([
    ['2026-11-25T10:00:00Z', Date.UTC(2026, 10, 25, 10)],
    ['2026-11-25T10:00:00.123+01:00', Date.UTC(2026, 10, 25, 9, 0, 0, 123)],
    ['2026-11-25T10:00:00.5-05:30', Date.UTC(2026, 10, 25, 15, 30, 0, 500)],
    ['2026-11-25T10:00:00.123456789Z', Date.UTC(2026, 10, 25, 10, 0, 0, 123)],
    ['2024-02-29T23:59:59Z', Date.UTC(2024, 1, 29, 23, 59, 59)],
    ['2026-01-01T00:30:00+01:00', Date.UTC(2025, 11, 31, 23, 30)],
    ['0001-01-01T00:00:00Z', new Date('0001-01-01T00:00:00Z').getTime()],
  ])('reads %s as the instant it names', (input, expected) => {
    expect(instantOf(input)).toBe(expected);
  });

  it.each([
    ['a date without a time', '2026-11-25'],
    ['a time without a zone', '2026-11-25T10:00:00'],
    ['no seconds', '2026-11-25T10:00Z'],
    ['a space instead of T', '2026-11-25 10:00:00Z'],
    ['a lower-case zone', '2026-11-25T10:00:00z'],
    ['surrounding whitespace', ' 2026-11-25T10:00:00Z'],
    ['an expanded year', '+002026-11-25T10:00:00Z'],
    ['a compact offset', '2026-11-25T10:00:00+0100'],
    ['Invalid Date', 'Invalid Date'],
    ['month 13', '2026-13-01T00:00:00Z'],
    ['month 0', '2026-00-01T00:00:00Z'],
    ['day 0', '2026-11-00T00:00:00Z'],
    ['April 31', '2026-04-31T00:00:00Z'],
    ['February 29 outside a leap year', '2026-02-29T00:00:00Z'],
    ['February 29 in 1900', '1900-02-29T00:00:00Z'],
    ['hour 24', '2026-11-25T24:00:00Z'],
    ['minute 60', '2026-11-25T10:60:00Z'],
    ['a leap second', '2026-12-31T23:59:60Z'],
    ['an offset of 24 hours', '2026-11-25T10:00:00+24:00'],
    ['an offset minute of 60', '2026-11-25T10:00:00+01:60'],
    ['an instant past year 9999', '9999-12-31T23:59:59-01:00'],
    ['an empty string', ''],
  ])('rejects %s', (_, input) => {
    expect(E.isLeft(IsoInstant.decode(input))).toBe(true);
  });

  it.each([[1_764_064_800_000], [new Date('2026-11-25T10:00:00Z')], [null], [undefined], [{}]])(
    'rejects the non-string %s',
    (input) => {
      expect(E.isLeft(IsoInstant.decode(input))).toBe(true);
    },
  );

  it('encodes with toISOString', () => {
    expect(IsoInstant.encode(new Date(Date.UTC(2026, 10, 25, 9, 0, 0, 123)))).toBe('2026-11-25T09:00:00.123Z');
  });

  it('reads back every instant it writes', () => {
    fc.assert(
      fc.property(instant, (date) => {
        expect(instantOf(IsoInstant.encode(date))).toBe(date.getTime());
      }),
    );
  });

  it('reads the same instant whatever the zone offset it is written in', () => {
    const inner = fc.date({
      min: new Date('0001-01-02T00:00:00Z'),
      max: new Date('9999-12-30T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(inner, fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }), (date, offset) => {
        expect(instantOf(withOffset(date, offset))).toBe(date.getTime());
      }),
    );
  });
});
