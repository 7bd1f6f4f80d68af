import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { runExecutorBatch } from '../../src/cli/executor-batch.js';
import type { ExecutorConfig } from '../../src/cli/executor-policies.js';
import { runWorker } from '../../src/cli/run-worker.js';
import { decodePspResultUpdate, type PspResultUpdateEvent } from '../../src/codecs/index.js';
import { decodeEnv } from '../../src/config/env-spec.js';
import { executorEnv } from '../../src/config/executor-env.js';
import { ensureTopics } from '../../src/kafka/topics.js';
import type { OutboxEntry } from '../../src/outbox/outbox-entry.js';
import { outboxCollection } from '../../src/outbox/outbox-store.js';
import { generatedCommands } from '../../src/publisher/generated-commands.js';
import type { PaymentOrderDocument } from '../../src/state/index.js';
import { insertInitiatedOrders, waitForCommitted } from '../support/psp-results.js';
import { endpoints, testLogger, uniqueName, useRealStack } from '../support/real-stack.js';
import { readWholeTopic } from '../support/topic-reader.js';
import { workerTestConfig, workerTestEnv } from '../support/worker-config.js';

describe('PaymentOrderExecutor against the real stack', () => {
  const stack = useRealStack();
  const { kafka, admin } = stack;

  const executorEnvFor = (topic: string): Record<string, string> => ({
    KAFKA_BROKERS: endpoints().brokers.join(','),
    MONGO_URL: endpoints().mongoUrl,
    MONGO_DB: stack.store.db.databaseName,
    PSP_RESULT_TOPIC: topic,
    PSP_SIM_LATENCY_MS: '5',
    METRICS_PORT: '0',
    EXECUTOR_METRICS_PORT: '0',
    // a killed run's claimed entries are free again quickly
    OUTBOX_LEASE_MS: '2000',
    LOG_LEVEL: 'silent',
  });
  const configOf = (env: Record<string, string>): ExecutorConfig => {
    const decoded = decodeEnv(executorEnv, env);
    if (E.isLeft(decoded)) throw new Error(decoded.left.problems.join('\n'));
    return decoded.right;
  };
  const resultsOn = async (topic: string): Promise<readonly PspResultUpdateEvent[]> =>
    (await readWholeTopic(kafka, admin, topic)).map((m) => {
      const decoded = decodePspResultUpdate(m);
      if (E.isLeft(decoded)) throw new Error(`undecodable result on the topic: ${JSON.stringify(decoded.left)}`);
      return decoded.right;
    });

  it('publishes exactly one decodable event per PSP result for 5,000 orders through both PSPs', async () => {
    const topic = uniqueName('executor-results');
    await ensureTopics(admin, [{ topic, partitions: 12 }]);
    const prefix = uniqueName('exec');
    const commands = generatedCommands(5_000, prefix);

    const t0 = Date.now();
    const { executed, published } = await runExecutorBatch(configOf(executorEnvFor(topic)), commands, testLogger);
    const seconds = (Date.now() - t0) / 1000;
    console.log(
      `executed and published ${executed} results in ${seconds.toFixed(1)} s: ${(executed / seconds).toFixed(0)}/s`,
    );
    expect(executed).toBe(5_000);
    expect(published).toBe(5_000);

    const events = await resultsOn(topic);
    expect(events).toHaveLength(5_000);
    expect(new Set(events.map((e) => e.paymentOrderId)).size).toBe(5_000);
    expect(new Set(events.map((e) => e.pspStatus)).size).toBeGreaterThan(3);
    const pending = await stack.store.db
      .collection<OutboxEntry>(outboxCollection)
      .countDocuments({ status: 'pending', topic });
    expect(pending).toBe(0);
  });

  it('loses no result when the executor is killed with SIGKILL mid-run and run again', async () => {
    const topic = uniqueName('executor-kill');
    await ensureTopics(admin, [{ topic, partitions: 12 }]);
    const prefix = uniqueName('kill');
    const orders = 3_000;
    const env = { ...process.env, ...executorEnvFor(topic), PSP_SIM_LATENCY_MS: '40', EXECUTOR_CONCURRENCY: '16' };
    const outbox = stack.store.db.collection<OutboxEntry>(outboxCollection);
    const recorded = () => outbox.countDocuments({ topic });

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'executor', '--orders', String(orders), '--prefix', prefix],
      {
        env,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    const exit = { seen: false };
    child.once('exit', () => (exit.seen = true));
    const deadline = Date.now() + 60_000;
    while ((await recorded()) < orders / 3 && Date.now() < deadline && !exit.seen) await sleep(50);
    expect(exit.seen, 'the executor finished before it could be killed').toBe(false);
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
    expect(await recorded()).toBeLessThan(orders);

    await runExecutorBatch(configOf(executorEnvFor(topic)), generatedCommands(orders, prefix), testLogger);
    expect(await outbox.countDocuments({ topic, status: 'pending' })).toBe(0);
    expect(await outbox.countDocuments({ topic, status: 'sent' })).toBe(orders);

    const events = await resultsOn(topic);
    const ids = new Set(events.map((e) => e.paymentOrderId));
    expect(ids.size).toBe(orders);

    // Whatever the relay published twice, the consumer applies once.
    const names = {
      topic,
      dlq: uniqueName('executor-kill-dlq'),
      group: uniqueName('executor-kill-group'),
      db: stack.store.db.databaseName,
    };
    await ensureTopics(admin, [{ topic: names.dlq, partitions: 1 }]);
    await insertInitiatedOrders(stack.store.db, [...ids]);
    const worker = await runWorker(workerTestConfig(workerTestEnv(names)), testLogger);
    await waitForCommitted(admin, names.group, topic, 120_000);
    await worker.stop();
    await worker.done;
    const docs = await stack.store.db
      .collection<PaymentOrderDocument>('payment_orders')
      .find({ _id: { $in: [...ids] } })
      .toArray();
    expect(docs).toHaveLength(orders);
    expect(docs.filter((d) => d.history.filter((h) => h.kind === 'psp-result').length !== 1)).toEqual([]);
  }, 300_000);
});
