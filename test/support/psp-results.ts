import type { Admin, Producer } from 'kafkajs';
import { MongoBulkWriteError, type Db } from 'mongodb';
import { encodePspResultUpdate, type PaymentOrderId, type PspResultUpdateEvent } from '../../src/codecs/index.js';
import { seededRandom } from '../../src/publisher/psp/index.js';
import type { PaymentOrderDocument } from '../../src/state/index.js';
import {
  initiatedDoc,
  interleave,
  pickScenario,
  plannedOrder,
  scenarios,
  withDuplicates,
  type PlannedOrder,
  type Scenario,
} from '../../support/event-plan.js';

export { scenarios, seededRandom, type PlannedOrder, type Scenario };

export const planOrders = (count: number, prefix: string, random: () => number): readonly PlannedOrder[] =>
  Array.from({ length: count }, (_, i) => plannedOrder(i, prefix, pickScenario(random)));

/**
 * The order of publication: each order's results in their own order, orders interleaved at random, and
 * `duplicateShare` of the results sent a second time somewhere after the first.
 */
export const publicationOrder = (
  orders: readonly PlannedOrder[],
  duplicateShare: number,
  random: () => number,
): readonly PspResultUpdateEvent[] =>
  interleave(
    orders.map((o) => withDuplicates(o, duplicateShare, random)),
    orders.length,
    random,
  );

/**
 * Inserts the orders in INITIATED. Idempotent: an order already there is left as it is, so a caller may
 * retry after an error whose outcome it could not see (a timeout after the server wrote).
 */
export const insertInitiatedOrders = async (db: Db, ids: readonly PaymentOrderId[]): Promise<void> => {
  const now = new Date();
  const orders = db.collection<PaymentOrderDocument>('payment_orders');
  for (let i = 0; i < ids.length; i += 1000) {
    try {
      await orders.insertMany(
        ids.slice(i, i + 1000).map((id) => initiatedDoc(id, now)),
        { ordered: false },
      );
    } catch (error) {
      const onlyDuplicates =
        error instanceof MongoBulkWriteError && [error.writeErrors].flat().every((e) => e.code === 11000);
      if (!onlyDuplicates) throw error;
    }
  }
};

export const publish = async (
  producer: Producer,
  topic: string,
  events: readonly PspResultUpdateEvent[],
): Promise<void> => {
  for (let i = 0; i < events.length; i += 500) {
    await producer.send({
      topic,
      acks: -1,
      messages: events.slice(i, i + 500).map((e) => encodePspResultUpdate(e)),
    });
  }
};

/** Resolves once the group has committed every partition up to its high watermark. */
export const waitForCommitted = async (
  admin: Admin,
  groupId: string,
  topic: string,
  timeoutMs: number,
): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ]);
    const byPartition = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const behind = ends.reduce(
      (sum, p) => sum + Math.max(0, Number(p.high) - Math.max(0, byPartition.get(p.partition) ?? 0)),
      0,
    );
    if (behind === 0) return;
    if (Date.now() > deadline)
      throw new Error(`group ${groupId} still ${behind} messages behind after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
};
