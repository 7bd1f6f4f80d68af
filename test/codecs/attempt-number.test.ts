import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { AttemptNumber, attemptAfter, firstAttempt } from '../../src/codecs/index.js';

describe('attempt numbers', () => {
  it('count from 1: the first attempt, and the one after a count of attempts', () => {
    expect(AttemptNumber.is(firstAttempt)).toBe(true);
    expect(attemptAfter(0)).toEqual(E.right(1));
    expect(attemptAfter(4)).toEqual(E.right(5));
  });

  it('refuse what is not a count', () => {
    for (const done of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER]) expect(E.isLeft(attemptAfter(done))).toBe(true);
  });
});
