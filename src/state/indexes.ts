import type { Db } from 'mongodb';
import { paymentOrdersCollection } from './payment-order-store.js';

/** Created by the service at start-up; `_id` already serves the conditional update's equality on the order. */
export const ensureStateIndexes = async (db: Db): Promise<void> => {
  await db
    .collection(paymentOrdersCollection)
    .createIndex({ status: 1, updatedAt: 1 }, { name: 'status_updatedAt' }, {});
};
