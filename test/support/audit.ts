import type { Db } from 'mongodb';
import { expect } from 'vitest';
import { eventKeyOf, type PaymentOrderDocument } from '../../src/state/index.js';
import type { PlannedOrder } from './psp-results.js';

/**
 * What is wrong with the given orders in the store, one line per order, judged by the hand-written oracle:
 * the final status and attempt count of the order's scenario, and exactly one `psp-result` audit entry per
 * distinct event (a duplicate delivery adds nothing; a lost one leaves an entry missing).
 */
export const auditMismatches = async (db: Db, orders: readonly PlannedOrder[]): Promise<string[]> => {
  const wrong: string[] = [];
  for (let i = 0; i < orders.length; i += 1000) {
    const slice = orders.slice(i, i + 1000);
    const docs = await db
      .collection<PaymentOrderDocument>('payment_orders')
      .find({ _id: { $in: slice.map((o) => o.id) } })
      .toArray();
    const byId = new Map(docs.map((d) => [d._id as string, d]));
    for (const order of slice) {
      const doc = byId.get(order.id);
      const keys = (doc?.history ?? []).filter((h) => h.kind === 'psp-result').map((h) => h.key);
      const expectedKeys = order.events.map(eventKeyOf);
      const missing = expectedKeys.filter((k) => !keys.includes(k)).length;
      const doubled = keys.length - new Set(keys).size;
      if (
        doc?.status !== order.scenario.finalStatus ||
        doc.attempts !== order.scenario.attempts ||
        keys.length !== expectedKeys.length ||
        doubled !== 0 ||
        missing !== 0
      ) {
        wrong.push(
          `${order.id} (${order.scenario.name}): ${doc?.status ?? 'absent'} (want ${order.scenario.finalStatus}), ` +
            `attempts ${doc?.attempts ?? '-'} (want ${order.scenario.attempts}), ` +
            `entries ${keys.length} (want ${expectedKeys.length}, ${missing} missing, ${doubled} doubled)`,
        );
      }
    }
  }
  return wrong;
};

/** Every order in its oracle's final state, with exactly one audit entry per distinct result. */
export const expectAppliedExactlyOnce = async (db: Db, orders: readonly PlannedOrder[]): Promise<void> => {
  const wrong = await auditMismatches(db, orders);
  expect(wrong.slice(0, 10), `${wrong.length} of ${orders.length} orders are wrong`).toEqual([]);
};
