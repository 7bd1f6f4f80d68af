import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../src/outbox/outbox-entry.js';
import { ensureOutboxIndexes, outboxStore } from '../../src/outbox/outbox-store.js';
import { testDb } from '../support/real-stack.js';

describe('outbox relays in several processes', () => {
  let store: Awaited<ReturnType<typeof testDb>>;
  beforeAll(async () => {
    store = await testDb();
    await ensureOutboxIndexes(store.db, 'claims');
  });
  afterAll(async () => {
    await store.close();
  });

  const entry = (n: number, createdAt: Date): OutboxEntry => ({
    _id: `e-${n}`,
    dedupKey: `d-${n}`,
    topic: 't',
    key: `k-${n}`,
    value: '{}',
    headers: {},
    status: 'pending',
    createdAt,
  });
  const right = <A>(r: E.Either<unknown, A>): A => {
    if (E.isLeft(r)) throw new Error(String(r.left));
    return r.right;
  };

  it('never hand the same entry to two relays at once, and free a dead relay’s entries when its lease runs out', async () => {
    const collection = store.db.collection<OutboxEntry>('claims');
    const t0 = new Date('2026-11-25T12:00:00Z');
    const a = outboxStore(collection, { owner: 'relay-a', leaseMs: 10_000 });
    const b = outboxStore(collection, { owner: 'relay-b', leaseMs: 10_000 });
    right(await a.record(Array.from({ length: 6 }, (_, n) => entry(n, new Date(t0.getTime() + n))))());
    right(await a.record([entry(0, t0)])()); // recording again is harmless

    const [byA, byB] = await Promise.all([a.claim(4, t0)(), b.claim(4, t0)()]);
    const idsA = right(byA).map((e) => e._id);
    const idsB = right(byB).map((e) => e._id);
    expect(idsA.filter((id) => idsB.includes(id))).toEqual([]);
    expect(new Set([...idsA, ...idsB]).size).toBe(6);

    // relay A dies holding its entries; B sees none of them until A's lease ran out
    const later = new Date(t0.getTime() + 5_000);
    expect(
      right(await b.claim(10, later)())
        .map((e) => e._id)
        .filter((id) => idsA.includes(id)),
    ).toEqual([]);
    const afterLease = new Date(t0.getTime() + 10_001);
    const retaken = right(await b.claim(10, afterLease)()).map((e) => e._id);
    expect(idsA.every((id) => retaken.includes(id))).toBe(true);

    right(await b.markSent(retaken, afterLease)());
    expect(right(await b.countPending()())).toBe(6 - new Set(retaken).size);
  });
});
