import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  errorCodeMaxLength,
  errorMessageMaxLength,
  paymentOrderIdMaxLength,
  pspReferenceMaxLength,
  PspResultUpdateEvent,
  pspResultUpdateEventJsonSchema as schema,
  pspStatuses,
} from '../../src/codecs/index.js';
import { instant, text, validJson } from './event-arbitraries.js';

interface PropertyRule {
  readonly type: 'string';
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly enum?: readonly string[];
  readonly pattern?: string;
}

const rules: Readonly<Record<string, PropertyRule>> = schema.properties;

/** What a JSON Schema validator would say, for the keywords this schema uses (all but `format`). */
const schemaAccepts = (value: unknown): boolean => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const has = (name: string): boolean => Object.hasOwn(value, name);
  if (!schema.required.every(has)) return false;
  return Object.entries(rules).every(([name, rule]) => {
    if (!has(name)) return true;
    const v: unknown = (value as Record<string, unknown>)[name];
    if (typeof v !== 'string') return false;
    const length = Array.from(v).length; // JSON Schema counts code points
    return (
      length >= (rule.minLength ?? 0) &&
      length <= (rule.maxLength ?? Infinity) &&
      (rule.enum?.includes(v) ?? true) &&
      (rule.pattern === undefined || new RegExp(rule.pattern, 'u').test(v))
    );
  });
};

const codecAccepts = (value: unknown): boolean => E.isRight(PspResultUpdateEvent.decode(value));

const codecProps = PspResultUpdateEvent.type.types.map((codec) => Object.keys(codec.props));

const limits = [
  ['paymentOrderId', 1, paymentOrderIdMaxLength],
  ['pspReference', 1, pspReferenceMaxLength],
  ['errorCode', 1, errorCodeMaxLength],
  ['errorMessage', 0, errorMessageMaxLength],
] as const;

/** A value for a string field: around its limits, of another type, or anything. */
const fieldValue = (minLength: number, maxLength: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    text(minLength, maxLength),
    fc
      .constantFrom(minLength - 1, minLength, maxLength, maxLength + 1)
      .filter((n) => n >= 0)
      .chain((n) => text(n, n)),
    fc.constantFrom('😀'.repeat(maxLength), '😀'.repeat(maxLength + 1)),
    fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object()),
  );

/** Objects around the schema: each field valid, mutated or absent, plus unknown fields. */
const candidate: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record(
      {
        paymentOrderId: fieldValue(1, paymentOrderIdMaxLength),
        pspStatus: fc.oneof(fc.constantFrom(...pspStatuses), fc.constantFrom('successful', 'FOO', ''), fc.integer()),
        // Only shapes the pattern and the codec judge alike: the schema cannot see that 2026-13-01 is no date.
        eventTime: fc.oneof(
          instant.map((d) => d.toISOString()),
          fc.constantFrom('2026-11-25', '2026-11-25T10:00:00', 'now', ''),
          fc.integer(),
        ),
        pspReference: fieldValue(1, pspReferenceMaxLength),
        errorCode: fieldValue(1, errorCodeMaxLength),
        errorMessage: fieldValue(0, errorMessageMaxLength),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(
      fc.string().filter((k) => !Object.hasOwn(schema.properties, k) && k !== '__proto__'),
      fc.jsonValue(),
      {
        maxKeys: 3,
      },
    ),
  )
  .map(([fields, extra]) => ({ ...extra, ...fields }));

describe('the JSON Schema agrees with the codec', () => {
  it('is committed as generated', () => {
    const committed = readFileSync(
      new URL('../../schemas/psp-result-update-event.schema.json', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(`${JSON.stringify(schema, null, 2)}\n`);
  });

  it('requires the codec’s required fields and describes all its fields', () => {
    expect(schema.required).toEqual(codecProps[0]);
    expect(Object.keys(schema.properties)).toEqual(codecProps.flat());
  });

  it('lists every PspStatus and only those', () => {
    expect(schema.properties.pspStatus.enum).toEqual(pspStatuses);
  });

  it('tolerates unknown fields, as the codec does', () => {
    expect(schema.additionalProperties).toBe(true);
  });

  it.each(limits)('limits %s to %i..%i characters', (field, minLength, maxLength) => {
    const rule = rules[field];
    expect([rule?.minLength ?? 0, rule?.maxLength]).toEqual([minLength, maxLength]);
  });

  it.each(
    limits.flatMap(([field, min, max]) =>
      [min - 1, min, max, max + 1].filter((n) => n >= 0).map((n) => [field, n] as const),
    ),
  )('judges %s of %i characters as the codec does', (field, length) => {
    for (const s of ['x'.repeat(length), '😀'.repeat(length)]) {
      const value = { ...validJson, [field]: s };
      expect(schemaAccepts(value)).toBe(codecAccepts(value));
    }
  });

  it('accepts exactly the objects the codec accepts', () => {
    fc.assert(
      fc.property(candidate, (value) => {
        expect(schemaAccepts(value)).toBe(codecAccepts(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('sees both accepted and rejected objects among the candidates', () => {
    const verdicts = fc.sample(candidate, { numRuns: 1000, seed: 1 }).map(codecAccepts);
    expect(verdicts).toContain(true);
    expect(verdicts).toContain(false);
  });
});
