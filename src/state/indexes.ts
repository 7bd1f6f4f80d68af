import type { Db } from 'mongodb';
import { paymentOrdersCollection } from './payment-order-store.js';

/** Created by the service at start-up; `_id` already serves the conditional update's equality on the order. */
export const ensureStateIndexes = async (db: Db): Promise<void> => {
  const orders = db.collection(paymentOrdersCollection);
  await orders.createIndex({ status: 1, updatedAt: 1 }, { name: 'status_updatedAt' }, {});
  // Every dispatcher polls for due orders (a range on nextRetryAt, the dispatch due time of every command, not
  // only retries: see DispatchDueAt; oldest first): without it, a scan of all orders.
  await orders.createIndex({ nextRetryAt: 1 }, { name: 'nextRetryAt' }, {});
};
