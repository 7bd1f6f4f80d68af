import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pspStatuses, type PaymentOrderId, type PspResultUpdateEvent } from '../../src/codecs/index.js';
import { optimisticWrite } from '../../src/state/conditional-update.js';
import {
  applyPspResult,
  eventKeyOf,
  isTerminal,
  type PaymentOrderDocument,
  type RetryPolicy,
} from '../../src/state/index.js';

const now = new Date('2026-11-25T12:00:00.000Z');
const schedule = (random: () => number) => ({
  retryBackoff: { baseMs: 2_000, capMs: 60_000 },
  checkDelayMs: 30 * 60_000,
  random,
});
const order = (attempts: number): PaymentOrderDocument => ({
  _id: 'o-1' as PaymentOrderId,
  status: 'RETRY_PENDING',
  attempts,
  version: attempts,
  createdAt: now,
  updatedAt: now,
  history: [],
});
const source = { topic: 't', partition: 0, offset: '1' };

describe('scheduling the next command in the same write as the transition', () => {
  it('sets nextRetryAt within the backoff of the attempt for a retryable result, never past the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.double({ min: 0, max: 0.999_999, noNaN: true }),
        fc.constantFrom('TIMEOUT', 'PSP_UNAVAILABLE', 'FAILED_TRANSIENT' as const),
        (attempts, r, pspStatus) => {
          const policy: RetryPolicy = { maxAttempts: 5, schedule: schedule(() => r) };
          const event: PspResultUpdateEvent = { paymentOrderId: 'o-1' as PaymentOrderId, pspStatus, eventTime: now };
          const { doc } = applyPspResult(order(attempts), event, source, policy, now);
          const delay = (doc?.nextRetryAt?.getTime() ?? Number.NaN) - now.getTime();
          const ceiling = Math.min(60_000, 2_000 * 2 ** attempts);
          expect(doc?.status).toBe('RETRY_PENDING');
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(ceiling);
          expect(doc?.lease).toBeNull();
        },
      ),
    );
  });

  it('schedules a status check for a check-later answer and nothing for a final one', () => {
    for (const pspStatus of pspStatuses) {
      const policy: RetryPolicy = { maxAttempts: 5, schedule: schedule(() => 0.5) };
      const event: PspResultUpdateEvent = { paymentOrderId: 'o-1' as PaymentOrderId, pspStatus, eventTime: now };
      const { doc } = applyPspResult({ ...order(0), status: 'INITIATED' }, event, source, policy, now);
      if (doc === null) throw new Error('no document');
      if (isTerminal(doc.status)) expect(doc.nextRetryAt, pspStatus).toBeNull();
      else if (doc.status === 'RETRY_PENDING')
        expect(doc.nextRetryAt?.getTime(), pspStatus).toBe(now.getTime() + 1_000);
      else expect(doc.nextRetryAt?.getTime(), pspStatus).toBe(now.getTime() + 30 * 60_000);
    }
  });

  it('stops scheduling once retries are exhausted', () => {
    const policy: RetryPolicy = { maxAttempts: 5, schedule: schedule(() => 0.5) };
    const event: PspResultUpdateEvent = {
      paymentOrderId: 'o-1' as PaymentOrderId,
      pspStatus: 'TIMEOUT',
      eventTime: now,
    };
    const { doc } = applyPspResult(order(4), event, source, policy, now);
    expect(doc).toMatchObject({ status: 'FAILED', attempts: 5, failureReason: 'retries exhausted', nextRetryAt: null });
  });

  it('writes a retryable result without a read: one alternative per attempts count, each with its own backoff', () => {
    const event: PspResultUpdateEvent = {
      paymentOrderId: 'o-1' as PaymentOrderId,
      pspStatus: 'TIMEOUT',
      eventTime: now,
    };
    const write = optimisticWrite(
      event,
      eventKeyOf(event),
      source,
      { maxAttempts: 5, schedule: schedule(() => 0.5) },
      now,
    );
    expect(write?.to).toBe('RETRY_PENDING');
    // attempts 0..3 stay RETRY_PENDING; the fifth retryable result exhausts them, which only a read can tell
    expect(write?.alternatives.map((a) => [a.filter.attempts, a.effect.fields.nextRetryAt?.getTime()])).toEqual(
      [0, 1, 2, 3].map((attempts) => [attempts, now.getTime() + 0.5 * 2_000 * 2 ** attempts]),
    );
    const final = { ...event, pspStatus: 'SUCCESSFUL' as const };
    expect(
      optimisticWrite(final, eventKeyOf(final), source, { maxAttempts: 5, schedule: schedule(() => 0.5) }, now)
        ?.alternatives[0]?.update,
    ).toMatchObject({
      $set: { status: 'SUCCESSFUL', nextRetryAt: null, lease: null },
    });
  });

  it('builds no alternatives beyond the bound a caller gives, so a bulk round reads first instead', () => {
    const event: PspResultUpdateEvent = {
      paymentOrderId: 'o-1' as PaymentOrderId,
      pspStatus: 'TIMEOUT',
      eventTime: now,
    };
    const key = eventKeyOf(event);
    const scheduled = (maxAttempts: number): RetryPolicy => ({ maxAttempts, schedule: schedule(() => 0.5) });
    expect(optimisticWrite(event, key, source, scheduled(5), now, 1)).toBeUndefined();
    expect(optimisticWrite(event, key, source, scheduled(5), now, 4)?.alternatives).toHaveLength(4);
    expect(optimisticWrite(event, key, source, scheduled(2), now, 1)?.alternatives).toHaveLength(1);
    const final = { ...event, pspStatus: 'SUCCESSFUL' as const };
    expect(optimisticWrite(final, eventKeyOf(final), source, scheduled(5), now, 1)?.alternatives).toHaveLength(1);
  });
});
