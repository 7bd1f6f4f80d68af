import * as t from 'io-ts';

// JSON Schema's minLength/maxLength count code points, not UTF-16 units: counting the same way keeps
// the codec and the published schema in agreement for emoji and other astral characters.
export const codePointLength = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

export const hasLengthWithin = (s: string, minLength: number, maxLength: number): boolean => {
  // A code point takes one or two UTF-16 units: this bound rejects huge strings without walking them.
  if (s.length < minLength || s.length > 2 * maxLength) return false;
  const n = codePointLength(s);
  return n >= minLength && n <= maxLength;
};

/** A plain `string` (no brand) of `minLength` to `maxLength` code points. */
export const boundedString = (minLength: number, maxLength: number): t.Type<string> => {
  const is = (u: unknown): u is string => typeof u === 'string' && hasLengthWithin(u, minLength, maxLength);
  return new t.Type<string>(
    `string of ${minLength} to ${maxLength} characters`,
    is,
    (u, c) => (is(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  );
};
