import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { runWorker } from '../../src/cli/run-worker.js';
import { deadLetterHeaders } from '../../src/kafka/dead-letter-publisher.js';
import { eventKeyOf, type PaymentOrderDocument } from '../../src/state/index.js';
import {
  insertInitiatedOrders,
  planOrders,
  publicationOrder,
  publish,
  seededRandom,
  waitForCommitted,
  type PlannedOrder,
} from '../support/psp-results.js';
import { testLogger, uniqueName, useRealStack } from '../support/real-stack.js';
import { workerTestConfig, workerTestEnv, workerTopics } from '../support/worker-config.js';

/** Every order in its oracle's final state, with exactly one audit entry per distinct result. */
const expectAppliedExactlyOnce = async (db: Db, orders: readonly PlannedOrder[]): Promise<void> => {
  const docs = await db
    .collection<PaymentOrderDocument>('payment_orders')
    .find({ _id: { $in: orders.map((o) => o.id) } })
    .toArray();
  const byId = new Map(docs.map((d) => [d._id as string, d]));
  const wrong: string[] = [];
  for (const order of orders) {
    const doc = byId.get(order.id);
    const keys = (doc?.history ?? []).filter((h) => h.kind === 'psp-result').map((h) => h.key);
    const expectedKeys = order.events.map(eventKeyOf);
    if (
      doc?.status !== order.scenario.finalStatus ||
      doc.attempts !== order.scenario.attempts ||
      keys.length !== expectedKeys.length ||
      new Set(keys).size !== keys.length ||
      !expectedKeys.every((k) => keys.includes(k))
    ) {
      wrong.push(
        `${order.id} (${order.scenario.name}): ${doc?.status} attempts ${doc?.attempts} entries ${keys.length}`,
      );
    }
  }
  expect(wrong.slice(0, 10)).toEqual([]);
};

describe('PspResultUpdateConsumer against the real stack', () => {
  const stack = useRealStack();
  const { kafka, admin, producer } = stack;

  const setUp = async (label: string) => {
    const names = await workerTopics(admin, label, stack.store.db.databaseName);
    return { names, env: workerTestEnv(names) };
  };

  const readDeadLetters = async (topic: string, count: number) => {
    const consumer = kafka.consumer({ groupId: uniqueName('dlq-reader'), maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const letters: { value: Buffer | null; reason: string; offset: string }[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          letters.push({
            value: message.value,
            reason: message.headers?.[deadLetterHeaders.reason]?.toString() ?? '',
            offset: message.headers?.[deadLetterHeaders.offset]?.toString() ?? '',
          });
          if (letters.length >= count) resolve();
          return Promise.resolve();
        },
      });
    });
    await consumer.disconnect();
    return letters;
  };

  it("applies 10,000 results with 20% duplicates exactly once each, in every order's final state", async () => {
    const { names, env } = await setUp('exactly-once');
    const random = seededRandom(20261125);
    const orders = planOrders(3_650, uniqueName('order'), random);
    const events = publicationOrder(orders, 0.2, random);
    expect(events.length).toBeGreaterThanOrEqual(10_000);
    await insertInitiatedOrders(
      stack.store.db,
      orders.map((o) => o.id),
    );
    await publish(producer, names.topic, events);

    const started = Date.now();
    const worker = await runWorker(workerTestConfig(env), testLogger);
    await waitForCommitted(admin, names.group, names.topic, 180_000);
    const seconds = (Date.now() - started) / 1000;
    await worker.stop();
    await worker.done;
    console.log(
      `applied ${events.length} results in ${seconds.toFixed(1)} s: ${(events.length / seconds).toFixed(0)} events/s`,
    );

    await expectAppliedExactlyOnce(stack.store.db, orders);
  });

  it('dead-letters garbage with its reason and original offset, and still applies the good results', async () => {
    const { names, env } = await setUp('garbage');
    const orders = planOrders(50, uniqueName('order'), seededRandom(7));
    await insertInitiatedOrders(
      stack.store.db,
      orders.map((o) => o.id),
    );
    const garbage = [
      Buffer.from([0xff, 0x00, 0x13]),
      Buffer.from('{"paymentOrderId": "x", "pspStatus"'),
      Buffer.from('{}'),
    ];
    await producer.send({
      topic: names.topic,
      acks: -1,
      messages: garbage.map((value, i) => ({ key: `garbage-${i}`, value })),
    });
    await publish(
      producer,
      names.topic,
      orders.flatMap((o) => o.events),
    );

    const worker = await runWorker(workerTestConfig(env), testLogger);
    await waitForCommitted(admin, names.group, names.topic, 60_000);
    await worker.stop();
    await worker.done;

    const letters = await readDeadLetters(names.dlq, garbage.length);
    expect(letters.map((l) => l.value?.toString('hex')).sort()).toEqual(garbage.map((g) => g.toString('hex')).sort());
    expect(letters.map((l) => l.reason).sort()).toEqual(['invalid-json', 'invalid-json', 'schema-violation']);
    expect(letters.every((l) => /^\d+$/.test(l.offset))).toBe(true);
    await expectAppliedExactlyOnce(stack.store.db, orders);
  });

  it('loses nothing and doubles nothing when the worker is killed with SIGKILL mid-stream and restarted', async () => {
    const { names, env } = await setUp('sigkill');
    const random = seededRandom(99);
    const orders = planOrders(1_500, uniqueName('order'), random);
    const events = publicationOrder(orders, 0.2, random);
    await insertInitiatedOrders(
      stack.store.db,
      orders.map((o) => o.id),
    );
    await publish(producer, names.topic, events);

    const start = (): ChildProcess =>
      spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker'], {
        env: { ...process.env, ...env, COMMIT_INTERVAL_MS: '200', MAX_BATCH_SIZE: '50' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    const committedSoFar = async (): Promise<number> => {
      const offsets = await admin.fetchOffsets({ groupId: names.group, topics: [names.topic] });
      return (offsets[0]?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    };

    let kills = 0;
    for (const _ of [1, 2, 3]) {
      const child = start();
      const exit = { seen: false };
      child.once('exit', () => (exit.seen = true));
      const before = await committedSoFar();
      const deadline = Date.now() + 60_000;
      // Kill once this run has made progress of its own, so each kill lands mid-stream.
      while ((await committedSoFar()) < before + 300 && Date.now() < deadline && !exit.seen) await sleep(100);
      expect(exit.seen, 'the worker exited by itself').toBe(false);
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
      kills += 1;
    }
    expect(kills).toBe(3);
    expect(await committedSoFar()).toBeLessThan(events.length);

    const worker = await runWorker(workerTestConfig(env), testLogger);
    await waitForCommitted(admin, names.group, names.topic, 180_000);
    await worker.stop();
    await worker.done;
    await expectAppliedExactlyOnce(stack.store.db, orders);
  }, 300_000);
});
