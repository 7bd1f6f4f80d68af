import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { describeSchemaErrors } from '../../src/codecs/index.js';

const Order = t.exact(
  t.type({
    lines: t.array(t.intersection([t.type({ sku: t.string }), t.partial({ qty: t.union([t.number, t.null]) })])),
  }),
);

const messagesFor = (input: unknown): readonly string[] => E.match(describeSchemaErrors, () => [])(Order.decode(input));

describe('describeSchemaErrors', () => {
  it('names the dotted path through objects and arrays, skipping intersection and union members', () => {
    expect(messagesFor({ lines: [{ sku: 'a' }, { sku: 7, qty: 'two' }] })).toEqual([
      'lines.1.sku: expected string but got 7',
      'lines.1.qty: expected number but got "two"',
      'lines.1.qty: expected null but got "two"',
    ]);
  });

  it('says when a field is missing', () => {
    expect(messagesFor({ lines: [{}] })).toEqual(['lines.0.sku: missing, expected string']);
  });

  it('names the root when the input is not an object', () => {
    expect(messagesFor([])).toEqual([expect.stringMatching(/^\(root\): expected .* but got an array$/)]);
  });

  it('shows a long value cut short with its length', () => {
    expect(messagesFor({ lines: [{ sku: 1, qty: 'q'.repeat(5000) }] })[1]).toBe(
      `lines.0.qty: expected number but got "${'q'.repeat(40)}"… (5000 characters)`,
    );
  });
});
