import * as E from 'fp-ts/lib/Either.js';
import type { PaymentOrderId } from '../src/codecs/index.js';
import { applyEffect, type PaymentOrderDocument, type PaymentOrderStore, type StoreError } from '../src/state/index.js';
import type { ConditionalWrite } from '../src/state/conditional-update.js';
import { matchesFilter } from '../support/order-filter.js';

/** Calls made on the store: each one stands for one round trip to a real MongoDB. */
export interface StoreCalls {
  readonly write: number;
  readonly find: number;
  /** Conditional updates carried by the `write` calls. */
  readonly statements: number;
  /** `write` calls of one statement (the slow path's exact writes, and rounds of one event). */
  readonly singleWrites: number;
  readonly matched: number;
}

export interface InMemoryOrderStore extends PaymentOrderStore {
  readonly calls: () => StoreCalls;
  /** Round trips so far: write + find calls. */
  readonly roundTrips: () => number;
  /** Loads documents without counting a round trip. */
  readonly seed: (docs: Iterable<PaymentOrderDocument>) => void;
  readonly documents: () => ReadonlyMap<string, PaymentOrderDocument>;
}

/** A microtask, standing for a round trip without latency: the caller's continuation never runs synchronously. */
const later = <A>(f: () => A): Promise<E.Either<StoreError, A>> => Promise.resolve().then(() => E.right(f()));

/**
 * `PaymentOrderStore` over a Map: every write evaluates the conditional filter and applies the update
 * with `applyEffect`, the in-memory model of the very same MongoDB update.
 */
export const inMemoryOrderStore = (): InMemoryOrderStore => {
  const docs = new Map<string, PaymentOrderDocument>();
  const calls = { write: 0, find: 0, statements: 0, singleWrites: 0, matched: 0 };

  const writeOne = (w: ConditionalWrite): number => {
    const id = (w.filter as Record<string, unknown>)['_id'];
    if (typeof id !== 'string') throw new Error(`write without an _id equality: ${JSON.stringify(w.filter)}`);
    const doc = docs.get(id);
    if (doc === undefined || !matchesFilter(w.filter, doc)) return 0;
    // The update stamps `updatedAt` and the history entry's `appliedAt` with the same clock reading.
    docs.set(id, applyEffect(doc, w.effect, w.effect.entry.appliedAt));
    return 1;
  };

  return {
    write: (writes) => () => {
      calls.write++;
      calls.statements += writes.length;
      if (writes.length === 1) calls.singleWrites++;
      return later(() => {
        let matched = 0;
        for (const w of writes) matched += writeOne(w);
        calls.matched += matched;
        return matched;
      });
    },
    find: (ids: readonly PaymentOrderId[]) => () => {
      calls.find++;
      return later(() => {
        const found = new Map<string, PaymentOrderDocument>();
        for (const id of ids) {
          const doc = docs.get(id);
          if (doc !== undefined) found.set(id, doc);
        }
        return found;
      });
    },
    calls: () => ({ ...calls }),
    roundTrips: () => calls.write + calls.find,
    seed: (seeded) => {
      for (const d of seeded) docs.set(d._id, d);
    },
    documents: () => docs,
  };
};
