import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isClaimable, nextCommandFor, orderStatuses, type PaymentOrderDocument } from '../../src/state/index.js';
import type { PaymentOrderId } from '../../src/codecs/index.js';

const now = new Date('2026-11-25T12:00:00.000Z');
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);

const orderState = fc.record({
  status: fc.constantFrom(...orderStatuses),
  nextRetryAt: fc.option(fc.integer({ min: -60_000, max: 60_000 }).map(at), { nil: null }),
  lease: fc.option(
    fc.record({ owner: fc.constantFrom('a', 'b'), until: fc.integer({ min: -60_000, max: 60_000 }).map(at) }),
    { nil: null },
  ),
});

describe('the claim rule of the retry dispatcher', () => {
  it('never takes an order whose lease is live', () => {
    fc.assert(
      fc.property(orderState, (order) => {
        if (order.lease !== null && order.lease.until.getTime() > now.getTime()) {
          expect(isClaimable(order, now)).toBe(false);
        }
      }),
    );
  });

  it('takes exactly the open orders that are due and not held', () => {
    fc.assert(
      fc.property(orderState, (order) => {
        const open = !['SUCCESSFUL', 'DECLINED', 'FAILED'].includes(order.status);
        const due = order.nextRetryAt !== null && order.nextRetryAt.getTime() <= now.getTime();
        const free = order.lease === null || order.lease.until.getTime() <= now.getTime();
        expect(isClaimable(order, now)).toBe(open && due && free);
      }),
    );
  });
});

describe('the command an order waits for', () => {
  const base: PaymentOrderDocument = {
    _id: 'o-1' as PaymentOrderId,
    amount: 1999,
    currency: 'EUR',
    psp: 'stripe',
    status: 'INITIATED',
    attempts: 0,
    version: 0,
    createdAt: now,
    updatedAt: now,
    history: [],
  };

  it('is the first charge for a created order, the next attempt for a retry, a status check for check-later', () => {
    expect(nextCommandFor(base)).toMatchObject({ right: { type: 'PaymentOrderCreated', attempt: 1 } });
    expect(nextCommandFor({ ...base, status: 'RETRY_PENDING', attempts: 2 })).toMatchObject({
      right: { type: 'PaymentOrderRetryRequested', attempt: 3, amount: 1999, currency: 'EUR' },
    });
    expect(nextCommandFor({ ...base, status: 'AUTH_REQUIRED', pspReference: 'pi_1', checks: 1 })).toMatchObject({
      right: { type: 'PaymentOrderStatusCheckRequested', pspReference: 'pi_1', check: 2 },
    });
  });

  it('is nothing for a final order', () => {
    for (const status of ['SUCCESSFUL', 'DECLINED', 'FAILED'] as const) {
      expect(nextCommandFor({ ...base, status })._tag).toBe('Left');
    }
  });
});
