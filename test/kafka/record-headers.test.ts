import { describe, expect, it } from 'vitest';
import { wireHeaders } from '../../src/kafka/record-headers.js';

/** What kafkajs 2.2 hands over for headers named like Object.prototype members (see its record decoder). */
const asKafkajsDecodes = (pairs: readonly [string, Buffer][]): Record<string, unknown> =>
  pairs.reduce<Record<string, unknown>>((obj, [key, value]) => {
    const prior = obj[key];
    return {
      ...obj,
      [key]: prior === undefined ? value : Array.isArray(prior) ? [...(prior as unknown[]), value] : [prior, value],
    };
  }, {});

describe('wireHeaders', () => {
  it('drops the inherited members kafkajs mixes into headers named constructor, toString or __proto__', () => {
    const decoded = asKafkajsDecodes([
      ['constructor', Buffer.from('c')],
      ['toString', Buffer.from('t')],
      ['__proto__', Buffer.from('p')],
      ['a', Buffer.from('1')],
    ]);
    const headers = wireHeaders(decoded as never);
    expect(Object.entries(headers)).toEqual([
      ['constructor', Buffer.from('c')],
      ['toString', Buffer.from('t')],
      ['__proto__', Buffer.from('p')],
      ['a', Buffer.from('1')],
    ]);
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
  });

  it('keeps repeated headers and returns plain headers as they are', () => {
    const repeated = asKafkajsDecodes([
      ['a', Buffer.from('1')],
      ['a', Buffer.from('2')],
      ['constructor', Buffer.from('x')],
      ['constructor', Buffer.from('y')],
    ]);
    expect(wireHeaders(repeated as never)).toEqual({
      a: [Buffer.from('1'), Buffer.from('2')],
      constructor: [Buffer.from('x'), Buffer.from('y')],
    });
    const plain = { a: Buffer.from('1') };
    expect(wireHeaders(plain)).toBe(plain);
    expect(wireHeaders(undefined)).toEqual({});
  });
});
