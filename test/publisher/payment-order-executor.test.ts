import { describe, expect, it } from 'vitest';
import { attemptAfter, type PaymentOrderCommand, type PaymentOrderId } from '../../src/codecs/index.js';
import { generatedCommands } from '../../src/publisher/generated-commands.js';
import { idempotencyKeyOf, resultDedupKeyOf } from '../../src/publisher/payment-order-executor.js';

const [created] = generatedCommands(1, 'po');
if (created === undefined) throw new Error('no generated command');
const third = attemptAfter(2);
if (third._tag === 'Left') throw new Error(third.left);

describe('the keys of an execution (stored in the outbox and at the PSPs: they never change)', () => {
  it('charges with the idempotency key paymentOrderId:attempt', () => {
    expect(idempotencyKeyOf({ paymentOrderId: 'po-0' as PaymentOrderId, attempt: 3 })).toBe('po-0:3');
  });

  it('records one result per charge attempt and per status check', () => {
    const retry: PaymentOrderCommand = { ...created, type: 'PaymentOrderRetryRequested', attempt: third.right };
    const check: PaymentOrderCommand = {
      type: 'PaymentOrderStatusCheckRequested',
      paymentOrderId: created.paymentOrderId,
      psp: created.psp,
      pspReference: 'ref',
      check: third.right,
    };
    expect([created, retry, check].map(resultDedupKeyOf)).toEqual([
      'psp-result:po-0:1',
      'psp-result:po-0:3',
      'psp-result:status-check:po-0:3',
    ]);
  });
});
