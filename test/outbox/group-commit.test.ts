import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../src/outbox/group-commit.js';
import type { OutboxEntry } from '../../src/outbox/outbox-entry.js';
import type { OutboxError, OutboxStore } from '../../src/outbox/outbox-store.js';

const entry = (i: number): OutboxEntry => ({
  _id: `e-${i}`,
  dedupKey: `d-${i}`,
  topic: 't',
  key: `k-${i}`,
  value: '{}',
  headers: {},
  status: 'pending',
  createdAt: new Date(i),
});

const storeError: OutboxError = {
  _tag: 'OutboxError',
  code: 'outbox-unavailable',
  retryable: true,
  message: 'store away',
  cause: undefined,
};

/** A `record` whose inserts resolve only when the test says so; it remembers what each insert carried. */
const controlledRecord = () => {
  const inserts: { readonly ids: readonly string[]; readonly settle: (r: E.Either<OutboxError, void>) => void }[] = [];
  const record: OutboxStore['record'] = (entries) => () =>
    new Promise((resolve) => {
      inserts.push({ ids: entries.map((e) => e._id), settle: resolve });
    });
  return { record, inserts };
};

/** Lets every promise callback that is ready run. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit of outbox records (groupCommit)', () => {
  it('records a call made while idle at once, alone', async () => {
    const { record, inserts } = controlledRecord();
    const one = groupCommit(record, 100)([entry(1)])();
    await settled();
    expect(inserts.map((i) => i.ids)).toEqual([['e-1']]);
    inserts[0]?.settle(E.right(undefined));
    expect(await one).toEqual(E.right(undefined));
  });

  it('puts every call made while an insert is in flight into the next insert, and resolves each only once its own insert did', async () => {
    const { record, inserts } = controlledRecord();
    const grouped = groupCommit(record, 100);
    const resolved: string[] = [];
    const call = (ids: readonly number[], name: string) =>
      grouped(ids.map(entry))().then((r) => {
        resolved.push(name);
        return r;
      });
    const first = call([1], 'first');
    await settled();
    const second = call([2], 'second');
    const third = call([3, 4], 'third');
    await settled();
    expect(inserts).toHaveLength(1);
    inserts[0]?.settle(E.right(undefined));
    await first;
    await settled();
    expect(resolved).toEqual(['first']);
    expect(inserts.map((i) => i.ids)).toEqual([['e-1'], ['e-2', 'e-3', 'e-4']]);
    inserts[1]?.settle(E.right(undefined));
    expect(await Promise.all([second, third])).toEqual([E.right(undefined), E.right(undefined)]);
  });

  it('never puts more than maxBatch entries in one insert, except a single call larger than that', async () => {
    const { record, inserts } = controlledRecord();
    const grouped = groupCommit(record, 3);
    const calls = [grouped([entry(0)])()];
    await settled();
    calls.push(grouped([entry(1), entry(2)])(), grouped([entry(3), entry(4)])(), grouped([5, 6, 7, 8].map(entry))());
    for (let i = 0; i < 4; i++) {
      await settled();
      inserts[i]?.settle(E.right(undefined));
    }
    await Promise.all(calls);
    expect(inserts.map((i) => i.ids)).toEqual([['e-0'], ['e-1', 'e-2'], ['e-3', 'e-4'], ['e-5', 'e-6', 'e-7', 'e-8']]);
  });

  it('hands an insert error to every call it carried, and records later calls in a new insert', async () => {
    const { record, inserts } = controlledRecord();
    const grouped = groupCommit(record, 100);
    const first = grouped([entry(1)])();
    await settled();
    const second = grouped([entry(2)])();
    const third = grouped([entry(3)])();
    inserts[0]?.settle(E.right(undefined));
    await settled();
    inserts[1]?.settle(E.left(storeError));
    expect(await Promise.all([first, second, third])).toEqual([
      E.right(undefined),
      E.left(storeError),
      E.left(storeError),
    ]);
    const again = grouped([entry(2)])();
    await settled();
    expect(inserts.map((i) => i.ids)).toEqual([['e-1'], ['e-2', 'e-3'], ['e-2']]);
    inserts[2]?.settle(E.right(undefined));
    expect(await again).toEqual(E.right(undefined));
  });

  it('turns a record that rejects into a retryable error, and is not wedged by it', async () => {
    let calls = 0;
    const record: OutboxStore['record'] = () => () => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('driver bug')) : Promise.resolve(E.right(undefined));
    };
    const grouped = groupCommit(record, 100);
    const failed = await grouped([entry(1)])();
    expect(E.isLeft(failed) && failed.left.retryable).toBe(true);
    expect(await grouped([entry(1)])()).toEqual(E.right(undefined));
  });
});
