import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { PspResultUpdateEvent, pspStatuses } from '../../src/codecs/index.js';
import { readPspResultUpdate } from '../../src/codecs/psp-result-update-reader.js';
import { instant, validEvent } from './event-arbitraries.js';

const fields = ['paymentOrderId', 'pspStatus', 'eventTime', 'pspReference', 'errorCode', 'errorMessage'];

/** JSON as a producer may send it: valid events, any of their fields replaced, dropped, or joined by others. */
const json: fc.Arbitrary<unknown> = fc.oneof(
  validEvent.map((e) => JSON.parse(JSON.stringify(PspResultUpdateEvent.encode(e))) as unknown),
  fc
    .tuple(
      validEvent,
      fc.constantFrom(...fields, '__proto__', 'extra', 'toString'),
      fc.oneof(
        fc.jsonValue(),
        fc.constantFrom(...pspStatuses, 'successful', ''),
        instant.map((d) => d.toISOString()),
        fc.string({ maxLength: 1_100 }),
      ),
      fc.boolean(),
    )
    .map(([e, field, value, drop]) => {
      const entries: [string, unknown][] = Object.entries(PspResultUpdateEvent.encode(e));
      const changed = entries.some(([k]) => k === field)
        ? entries.flatMap(([k, v]): [string, unknown][] => (k !== field ? [[k, v]] : drop ? [] : [[k, value]]))
        : [...entries, ...(drop ? [] : [[field, value] as [string, unknown]])];
      // Parsed from text, as a consumer reads it: a "__proto__" field is then an own property.
      return JSON.parse(
        `{${changed.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`,
      ) as unknown;
    }),
  fc.jsonValue(),
);

describe('readPspResultUpdate', () => {
  it('gives exactly what io-ts decodes, field order included, or leaves the input to io-ts', () => {
    fc.assert(
      fc.property(json, (input) => {
        const fast = readPspResultUpdate(input);
        if (fast === undefined) return;
        const decoded = PspResultUpdateEvent.decode(input);
        expect(E.isRight(decoded)).toBe(true);
        if (E.isRight(decoded)) {
          expect(fast).toStrictEqual(decoded.right);
          expect(Object.keys(fast)).toEqual(Object.keys(decoded.right));
        }
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads every valid event that carries only its own fields', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const input = JSON.parse(JSON.stringify(PspResultUpdateEvent.encode(event))) as unknown;
        expect(readPspResultUpdate(input)).toStrictEqual(
          E.getOrElseW(() => undefined)(PspResultUpdateEvent.decode(input)),
        );
      }),
    );
  });

  it('leaves a record with an unknown field to io-ts, which strips it', () => {
    expect(
      readPspResultUpdate({ paymentOrderId: 'po-1', pspStatus: 'SUCCESSFUL', eventTime: '2026-11-25T10:00:00Z', x: 1 }),
    ).toBeUndefined();
  });
});
