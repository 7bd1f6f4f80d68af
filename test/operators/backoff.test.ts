import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, type BackoffPolicy } from '../../src/operators/backoff.js';

const policyArb: fc.Arbitrary<BackoffPolicy> = fc.record({
  baseMs: fc.integer({ min: 1, max: 10_000 }),
  capMs: fc.integer({ min: 0, max: 10_000_000 }),
});
const attemptArb = fc.integer({ min: -5, max: 200 });
// `random` is documented as [0, 1), like Math.random.
const randomArb = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

const ceilingOf = (policy: BackoffPolicy, attempt: number): number =>
  Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));

describe('backoffDelay', () => {
  it('is a whole number of milliseconds, never below zero and never above the cap', () => {
    fc.assert(
      fc.property(policyArb, attemptArb, randomArb, (policy, attempt, r) => {
        const delay = backoffDelay(policy, attempt, () => r);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(policy.capMs);
      }),
    );
  });

  it('never grows past the cap however many attempts were made', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 31, max: 1_000_000 }), (policy, attempt) => {
        expect(backoffDelay(policy, attempt, () => 0.999)).toBeLessThanOrEqual(policy.capMs);
      }),
    );
  });

  it('grows with the attempt for random = 0.999, strictly while the doubled ceiling is below the cap', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 60 }), (policy, attempt) => {
        const now = backoffDelay(policy, attempt, () => 0.999);
        const later = backoffDelay(policy, attempt + 1, () => 0.999);
        expect(later).toBeGreaterThanOrEqual(now);
        if (attempt <= 30 && policy.baseMs * 2 ** attempt <= policy.capMs) expect(later).toBeGreaterThan(now);
      }),
    );
  });

  it('doubles from the base: 100, 200, 400, 800, then stays at the cap of 1000', () => {
    const policy = { baseMs: 100, capMs: 1_000 };
    const delays = [1, 2, 3, 4, 5, 6, 40].map((attempt) => backoffDelay(policy, attempt, () => 0.999));
    expect(delays).toEqual([99, 199, 399, 799, 999, 999, 999]);
  });

  it('treats attempt 0 and below as the first attempt', () => {
    const policy = { baseMs: 100, capMs: 1_000 };
    expect(backoffDelay(policy, 0, () => 0.5)).toBe(50);
    expect(backoffDelay(policy, -3, () => 0.5)).toBe(50);
  });

  it('spreads retries by jitter: randoms far enough apart give different delays, in the same order', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 40 }), randomArb, randomArb, (policy, attempt, r1, r2) => {
        const [low, high] = r1 <= r2 ? [r1, r2] : [r2, r1];
        // floor(high·c) > floor(low·c) is guaranteed once the two products are at least 1 apart.
        fc.pre((high - low) * ceilingOf(policy, attempt) >= 1);
        expect(backoffDelay(policy, attempt, () => high)).toBeGreaterThan(backoffDelay(policy, attempt, () => low));
      }),
    );
  });

  it('uses the whole jitter range: 0 for random = 0 up to just under the ceiling', () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 40 }), (policy, attempt) => {
        const ceiling = ceilingOf(policy, attempt);
        expect(backoffDelay(policy, attempt, () => 0)).toBe(0);
        expect(backoffDelay(policy, attempt, () => 1 - Number.EPSILON)).toBe(Math.max(0, ceiling - 1));
      }),
    );
  });

  it('gives many distinct delays for many randoms (full jitter, not a fixed schedule)', () => {
    const policy = { baseMs: 100, capMs: 30_000 };
    const randoms = Array.from({ length: 50 }, (_, i) => i / 50);
    const delays = new Set(randoms.map((r) => backoffDelay(policy, 5, () => r)));
    expect(delays.size).toBe(50);
  });
});
