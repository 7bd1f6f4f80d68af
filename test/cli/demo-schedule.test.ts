import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  orderIndexOf,
  ordersDueBy,
  phaseOfOrder,
  steadyOrders,
  totalOrders,
  type DemoPlan,
} from '../../src/cli/demo-schedule.js';

const plan: DemoPlan = { rate: 150, steadySeconds: 30, burst: 10_000 };

describe('the demo load plan', () => {
  it('has rate × seconds steady orders, then the burst', () => {
    expect(steadyOrders(plan)).toBe(4_500);
    expect(totalOrders(plan)).toBe(14_500);
    expect(phaseOfOrder(plan, 0)).toBe('steady');
    expect(phaseOfOrder(plan, 4_499)).toBe('steady');
    expect(phaseOfOrder(plan, 4_500)).toBe('burst');
  });

  it('releases orders at the steady rate, the first at once, and the whole burst when the steady phase ends', () => {
    expect(ordersDueBy(plan, -5)).toBe(0);
    expect(ordersDueBy(plan, 0)).toBe(1);
    expect(ordersDueBy(plan, 1_000)).toBe(151);
    expect(ordersDueBy(plan, 10_000)).toBe(1_501);
    expect(ordersDueBy(plan, 29_999)).toBe(4_500);
    expect(ordersDueBy(plan, 30_000)).toBe(14_500);
    expect(ordersDueBy(plan, 90_000)).toBe(14_500);
  });

  it('never goes back, never exceeds the steady count before the burst, and keeps to the rate within one order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 0, max: 70_000 }),
        fc.integer({ min: 0, max: 5_000 }),
        (rate, steadySeconds, burst, t, dt) => {
          const p = { rate, steadySeconds, burst };
          const now = ordersDueBy(p, t);
          expect(ordersDueBy(p, t + dt)).toBeGreaterThanOrEqual(now);
          if (t < steadySeconds * 1000) {
            expect(now).toBeLessThanOrEqual(steadyOrders(p));
            expect(Math.abs(now - (rate * t) / 1000)).toBeLessThanOrEqual(1);
          } else {
            expect(now).toBe(totalOrders(p));
          }
        },
      ),
    );
  });

  it('a run without a steady phase is all burst', () => {
    const burstOnly = { rate: 100, steadySeconds: 0, burst: 500 };
    expect(ordersDueBy(burstOnly, 0)).toBe(500);
    expect(phaseOfOrder(burstOnly, 0)).toBe('burst');
  });

  it("reads an order's index from its id, and only for this run's prefix", () => {
    expect(orderIndexOf('demo-7', 'demo-7-0')).toBe(0);
    expect(orderIndexOf('demo-7', 'demo-7-14499')).toBe(14_499);
    expect(orderIndexOf('demo-7', 'demo-70-1')).toBeUndefined();
    expect(orderIndexOf('demo-7', 'demo-7-x')).toBeUndefined();
    expect(orderIndexOf('demo-7', 'order-1')).toBeUndefined();
  });
});
