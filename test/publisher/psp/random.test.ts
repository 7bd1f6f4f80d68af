import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyedCharacters, keyedRandom, seededRandom } from '../../../src/publisher/psp/index.js';

const draw = (next: () => number, n: number): number[] => Array.from({ length: n }, () => next());

describe('seededRandom', () => {
  it('draws the same numbers in [0, 1) for the same seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const numbers = draw(seededRandom(seed), 20);
        expect(draw(seededRandom(seed), 20)).toEqual(numbers);
        for (const n of numbers) expect(n >= 0 && n < 1).toBe(true);
      }),
    );
  });

  it('draws different numbers for different seeds', () => {
    expect(draw(seededRandom(1), 5)).not.toEqual(draw(seededRandom(2), 5));
  });
});

describe('keyedRandom', () => {
  it('depends on seed and key only, not on what was drawn for other keys before', () => {
    fc.assert(
      fc.property(fc.integer(), fc.string(), fc.array(fc.string()), (seed, key, others) => {
        const alone = draw(keyedRandom(seed, key), 3);
        for (const other of others) draw(keyedRandom(seed, other), 3);
        expect(draw(keyedRandom(seed, key), 3)).toEqual(alone);
      }),
    );
  });

  it('differs between keys and between seeds', () => {
    expect(keyedRandom(1, 'a')()).not.toBe(keyedRandom(1, 'b')());
    expect(keyedRandom(1, 'a')()).not.toBe(keyedRandom(2, 'a')());
  });
});

describe('keyedCharacters', () => {
  it('spells `length` characters of the alphabet, the same for the same seed and key', () => {
    fc.assert(
      fc.property(fc.integer(), fc.string(), fc.integer({ min: 0, max: 32 }), (seed, key, length) => {
        const characters = keyedCharacters(seed, key, '0123456789', length);
        expect(characters).toMatch(new RegExp(`^[0-9]{${length}}$`));
        expect(keyedCharacters(seed, key, '0123456789', length)).toBe(characters);
      }),
    );
  });

  it('refuses more characters than the hash holds', () => {
    expect(() => keyedCharacters(1, 'a', 'ab', 33)).toThrow(RangeError);
  });
});
