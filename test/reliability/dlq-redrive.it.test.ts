import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runWorker } from '../../src/cli/run-worker.js';
import { dlqRedrivesCollection, type RedriveDocument } from '../../src/redrive/redrive-ledger.js';
import { expectAppliedExactlyOnce } from '../support/audit.js';
import {
  insertInitiatedOrders,
  planOrders,
  publicationOrder,
  publish,
  seededRandom,
  waitForCommitted,
} from '../support/psp-results.js';
import { testLogger, uniqueName, useRealStack } from '../support/real-stack.js';
import { readWholeTopic } from '../support/topic-reader.js';
import { workerTestConfig, workerTestEnv, workerTopics } from '../support/worker-config.js';

interface Printed {
  readonly matched: number;
  readonly redriven: number;
  readonly alreadyRedriven: number;
}

/** Runs `psp-stream dlq redrive` as an operator would, and reads the counts it prints. */
const redrive = (env: Record<string, string>, args: readonly string[]): Promise<Printed> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'dlq', 'redrive', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const count = (label: string): number => Number(new RegExp(`^${label}: (\\d+)$`, 'm').exec(out)?.[1] ?? NaN);
      if (code !== 0) reject(new Error(`redrive exited with ${code}: ${err}${out}`));
      else
        resolve({
          matched: count('matched'),
          redriven: count(args.includes('--dry-run') ? 'would be redriven' : 'redriven'),
          alreadyRedriven: count('already redriven'),
        });
    });
  });

describe('psp-stream dlq redrive', () => {
  const stack = useRealStack();
  const { admin, producer } = stack;

  const endOf = async (topic: string): Promise<number> =>
    (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  // Dead letters are written in transactions: their markers take offsets, so letters are counted by reading.
  const lettersIn = async (topic: string): Promise<number> => (await readWholeTopic(stack.kafka, admin, topic)).length;

  it('applies results dead-lettered for unknown orders once the orders exist, publishing each once', async () => {
    const names = await workerTopics(admin, 'redrive', stack.store.db.databaseName);
    const env = { ...workerTestEnv(names), UNKNOWN_ORDER_RETRIES: '0', LOG_LEVEL: 'silent' };
    const random = seededRandom(404);
    const orders = planOrders(60, uniqueName('late-order'), random);
    const events = publicationOrder(orders, 0.2, random);
    const garbage = ['{', 'not json', '[]'];

    // Results for orders that do not exist yet, and garbage that must stay dead.
    await producer.send({
      topic: names.topic,
      acks: -1,
      messages: garbage.map((value, i) => ({ key: `garbage-${i}`, value })),
    });
    await publish(producer, names.topic, events);
    const worker = await runWorker(workerTestConfig(env), testLogger);
    await waitForCommitted(admin, names.group, names.topic, 60_000);
    expect(await lettersIn(names.dlq)).toBe(events.length + garbage.length);

    await insertInitiatedOrders(
      stack.store.db,
      orders.map((o) => o.id),
    );
    const published = await endOf(names.topic);
    const byReason = ['--reason', 'unknown-order'];

    const started = Date.now();
    expect(await redrive(env, [...byReason, '--dry-run'])).toEqual({
      matched: events.length,
      redriven: events.length,
      alreadyRedriven: 0,
    });
    expect(await endOf(names.topic)).toBe(published);

    expect(await redrive(env, byReason)).toEqual({
      matched: events.length,
      redriven: events.length,
      alreadyRedriven: 0,
    });
    console.log(`redrove ${events.length} dead letters in ${(Date.now() - started) / 1000} s (dry run included)`);
    expect(await endOf(names.topic)).toBe(published + events.length);
    await waitForCommitted(admin, names.group, names.topic, 60_000);
    await expectAppliedExactlyOnce(stack.store.db, orders);
    expect(await lettersIn(names.dlq), 'nothing dead-lettered again').toBe(events.length + garbage.length);

    // Again: every dead letter is known as redriven, nothing is published.
    expect(await redrive(env, byReason)).toEqual({
      matched: events.length,
      redriven: 0,
      alreadyRedriven: events.length,
    });
    expect(await endOf(names.topic)).toBe(published + events.length);

    // A run interrupted between recording and acknowledgement left one pending: it is published again, and the
    // worker drops the duplicate.
    const redrives = stack.store.db.collection<RedriveDocument>(dlqRedrivesCollection);
    const one = await redrives.findOne({ _id: { $regex: `^${names.dlq}:0:` } });
    await redrives.updateOne({ _id: one?._id ?? '' }, { $set: { status: 'pending' } });
    expect(await redrive(env, byReason)).toEqual({
      matched: events.length,
      redriven: 1,
      alreadyRedriven: events.length - 1,
    });
    expect(await endOf(names.topic)).toBe(published + events.length + 1);
    await waitForCommitted(admin, names.group, names.topic, 60_000);
    await expectAppliedExactlyOnce(stack.store.db, orders);

    // Without a reason every dead letter matches; a range limits them (the first three offsets).
    expect(await redrive(env, ['--dry-run'])).toEqual({
      matched: events.length + garbage.length,
      redriven: garbage.length,
      alreadyRedriven: events.length,
    });
    // Offsets, not counts: transaction markers take offsets between the letters.
    const lettersUpTo2 = (await readWholeTopic(stack.kafka, admin, names.dlq)).filter((m) => Number(m.offset) <= 2);
    const firstThree = await redrive(env, ['--from-offset', '0', '--to-offset', '2', '--dry-run']);
    expect(firstThree.matched).toBe(lettersUpTo2.length);
    expect(lettersUpTo2.length).toBeGreaterThan(0);
    expect(await redrive(env, ['--from-offset', String(await endOf(names.dlq)), '--dry-run'])).toEqual({
      matched: 0,
      redriven: 0,
      alreadyRedriven: 0,
    });

    await worker.stop();
    await worker.done;
  });
});
