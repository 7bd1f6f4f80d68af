import * as TE from 'fp-ts/lib/TaskEither.js';
import type { Collection } from 'mongodb';
import type { PaymentOrderId } from '../codecs/index.js';
import type { ConditionalWrite } from './conditional-update.js';
import type { PaymentOrderDocument } from './payment-order.js';
import { storeErrorOf, type StoreError } from './store-error.js';

export const paymentOrdersCollection = 'payment_orders';

/**
 * The worker's edge on `payment_orders` (conditional writes and reads of the orders its results name); every
 * promise becomes a TaskEither of StoreError. Orders are created by the intake (`payment-order-intake.ts`)
 * and claimed by the retry dispatcher (`retry-dispatcher.ts`), each through its own statements.
 */
export interface PaymentOrderStore {
  /** One round trip: `updateOne` for one write, an unordered `bulkWrite` for more. Resolves to how many matched. */
  readonly write: (writes: readonly ConditionalWrite[]) => TE.TaskEither<StoreError, number>;
  readonly find: (
    ids: readonly PaymentOrderId[],
  ) => TE.TaskEither<StoreError, ReadonlyMap<string, PaymentOrderDocument>>;
}

export const paymentOrderStore = (orders: Collection<PaymentOrderDocument>): PaymentOrderStore => ({
  write: (writes) =>
    TE.tryCatch(async () => {
      const [only] = writes;
      if (only !== undefined && writes.length === 1) {
        return (await orders.updateOne(only.filter, only.update)).matchedCount;
      }
      if (writes.length === 0) return 0;
      const result = await orders.bulkWrite(
        writes.map((w) => ({ updateOne: { filter: w.filter, update: w.update } })),
        { ordered: false },
      );
      return result.matchedCount;
    }, storeErrorOf),
  find: (ids) =>
    TE.tryCatch(async () => {
      const docs = await orders.find({ _id: { $in: [...ids] } }).toArray();
      return new Map(docs.map((d) => [d._id as string, d as PaymentOrderDocument]));
    }, storeErrorOf),
});
