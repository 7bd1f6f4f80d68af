import { describe, expect, it } from 'vitest';
import { within } from '../../src/operators/within.js';

describe('within', () => {
  it('within: settles by the bound whatever the work does', async () => {
    expect(await within(10, new Promise(() => undefined))).toBe('timeout');
    expect(await within(1_000, Promise.reject(new Error('closed')))).toBe('done');
    // An unbounded wait waits: Node would fire an infinite timer after 1 ms and cut the work short.
    let finished = false;
    const work = new Promise<void>((resolve) => {
      setTimeout(() => {
        finished = true;
        resolve();
      }, 50);
    });
    expect(await within(Number.POSITIVE_INFINITY, work)).toBe('done');
    expect(finished).toBe(true);
  });
});
