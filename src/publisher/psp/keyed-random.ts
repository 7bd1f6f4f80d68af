import { createHash } from 'node:crypto';
import { seededRandom } from './seeded-random.js';

const digestOf = (seed: number, key: string): Buffer => createHash('sha256').update(`${seed}\u0000${key}`).digest();

/**
 * A random sequence that depends on seed and key only, never on call order: whoever asks about a key,
 * and whenever, draws the same numbers.
 */
export const keyedRandom = (seed: number, key: string): (() => number) =>
  seededRandom(digestOf(seed, key).readUInt32BE(0));

/**
 * `length` characters of `alphabet` drawn from seed and key, for references: taken straight from the
 * hash (not from the 32-bit generator), so different keys practically never share one.
 */
export const keyedCharacters = (seed: number, key: string, alphabet: string, length: number): string => {
  const digest = digestOf(seed, `reference\u0000${key}`);
  if (length > digest.length || alphabet.length === 0) {
    throw new RangeError(`keyedCharacters: at most ${digest.length} characters from a non-empty alphabet`);
  }
  let characters = '';
  for (let i = 0; i < length; i++) characters += alphabet.charAt((digest[i] ?? 0) % alphabet.length);
  return characters;
};
