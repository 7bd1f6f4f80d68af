import { setTimeout as sleep } from 'node:timers/promises';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodePaymentOrderCommand, commandKeyOf } from '../../src/codecs/index.js';
import { ensureTopics } from '../../src/kafka/topics.js';
import { simulatorCollections } from '../../src/publisher/psp/index.js';
import type { AnswerDocument } from '../../src/publisher/psp/mongo-idempotency.js';
import { isTerminal, type PaymentOrderDocument } from '../../src/state/index.js';
import { killHard, startPspStream, stopGently, type PspStreamProcess } from '../support/processes.js';
import { seededRandom } from '../support/psp-results.js';
import { endpoints, uniqueName, useRealStack } from '../support/real-stack.js';
import { readWholeTopic } from '../support/topic-reader.js';

const orders = Number(process.env['LOOP_ORDERS'] ?? 1_000);
const leaseMs = 2_000;

describe('the payment loop: intake → executor → PSP → result → retry or status check → final state', () => {
  const stack = useRealStack();
  const { kafka, admin } = stack;

  const setUp = async (label: string) => {
    const names = {
      results: uniqueName(`${label}-results`),
      resultsDlq: uniqueName(`${label}-results-dlq`),
      commands: uniqueName(`${label}-commands`),
      commandsDlq: uniqueName(`${label}-commands-dlq`),
    };
    await ensureTopics(admin, [
      { topic: names.results, partitions: 12 },
      { topic: names.resultsDlq, partitions: 1 },
      { topic: names.commands, partitions: 12 },
      { topic: names.commandsDlq, partitions: 1 },
    ]);
    const env: Record<string, string> = {
      KAFKA_BROKERS: endpoints().brokers.join(','),
      MONGO_URL: endpoints().mongoUrl,
      MONGO_DB: stack.store.db.databaseName,
      PSP_RESULT_TOPIC: names.results,
      PSP_RESULT_DLQ_TOPIC: names.resultsDlq,
      PSP_COMMAND_TOPIC: names.commands,
      PSP_COMMAND_DLQ_TOPIC: names.commandsDlq,
      CONSUMER_GROUP: uniqueName(`${label}-workers`),
      EXECUTOR_GROUP: uniqueName(`${label}-executors`),
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      METRICS_PORT: '0',
      EXECUTOR_METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      // seconds instead of minutes, so a run ends in a test's time
      RETRY_BASE_MS: '100',
      RETRY_CAP_MS: '1000',
      CHECK_DELAY_MS: '500',
      DISPATCH_INTERVAL_MS: '200',
      DISPATCH_LEASE_MS: String(leaseMs),
      COMMAND_GRACE_MS: '3000',
      PSP_SIM_PROFILE: 'flaky',
      PSP_TIMEOUT_MS: '200',
      PSP_SIM_LATENCY_MS: '5',
    };
    const prefix = uniqueName(`${label}-order`);
    const intake = startPspStream(
      ['orders', 'create', '--count', String(orders), '--seed', '11', '--prefix', prefix],
      env,
    );
    expect(await intake.exited, intake.output()).toBe(0);
    expect(intake.output()).toContain(`created ${orders}, already existing 0, rejected 0`);
    return { names, env, prefix };
  };

  const ordersOf = (prefix: string) =>
    stack.store.db
      .collection<PaymentOrderDocument>('payment_orders')
      .find({ _id: { $regex: `^${prefix}-` } } as never)
      .toArray();

  const waitAllFinal = async (prefix: string, timeoutMs: number): Promise<readonly PaymentOrderDocument[]> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const docs = await ordersOf(prefix);
      if (docs.length === orders && docs.every((d) => isTerminal(d.status))) return docs;
      if (Date.now() > deadline) {
        const open = docs.filter((d) => !isTerminal(d.status)).map((d) => `${d._id}:${d.status}`);
        throw new Error(`${open.length} orders still open: ${open.slice(0, 5).join(', ')}`);
      }
      await sleep(500);
    }
  };

  const expectLoopInvariants = async (docs: readonly PaymentOrderDocument[], prefix: string): Promise<void> => {
    expect(docs).toHaveLength(orders);
    expect(docs.filter((d) => d.attempts > 5)).toEqual([]);
    expect(
      docs
        .filter((d) => d.status === 'FAILED' && d.attempts === 5)
        .every((d) => d.failureReason === 'retries exhausted'),
    ).toBe(true);
    // What the PSPs answered is stored with the answer itself, so a crash cannot split it from the charge:
    // a charge is a SUCCESSFUL answer to a charge or a settled status check.
    const answers = await stack.store.db
      .collection<AnswerDocument>(simulatorCollections().answers)
      .find({ paymentOrderId: { $regex: `^${prefix}-` }, 'answer.pspStatus': 'SUCCESSFUL' })
      .toArray();
    const charged = answers.filter((a) => /:(charge|settled):/.test(a._id)).map((a) => a.paymentOrderId);
    expect(charged.filter((id, i) => charged.indexOf(id) !== i)).toEqual([]);
    const successful = docs.filter((d) => d.status === 'SUCCESSFUL').map((d) => d._id as string);
    expect(new Set(charged)).toEqual(new Set(successful));
    const counted = await stack.store.db
      .collection<{ _id: string; count: number }>(simulatorCollections().charges)
      .find({ _id: { $regex: `^${prefix}-` } } as never)
      .toArray();
    expect(counted.filter((c) => c.count > 1)).toEqual([]);
    // the hard cases really happened
    expect(docs.some((d) => d.history.some((h) => h.to === 'RETRY_PENDING'))).toBe(true);
    expect(
      docs.some((d) =>
        d.history.some((h) => h.kind === 'dispatch' && h.command === 'PaymentOrderStatusCheckRequested'),
      ),
    ).toBe(true);
  };

  it(`brings ${orders} orders created through the CLI to a final state with at most one charge each, two dispatchers never sending an attempt twice`, async () => {
    const { env, names, prefix } = await setUp('loop');
    const started = Date.now();
    const running = [
      startPspStream(['worker'], env),
      startPspStream(['worker'], env),
      startPspStream(['executor'], env),
    ];
    const docs = await waitAllFinal(prefix, 240_000);
    const seconds = (Date.now() - started) / 1000;
    for (const p of running) expect(await stopGently(p), p.output()).toBe(0);
    await expectLoopInvariants(docs, prefix);

    const commands = (await readWholeTopic(kafka, admin, names.commands)).map((m) => decodePaymentOrderCommand(m));
    expect(commands.filter(E.isLeft)).toEqual([]);
    const keys = commands.flatMap((c) => (E.isRight(c) ? [commandKeyOf(c.right)] : []));
    const repeated = keys.filter((k, i) => keys.indexOf(k) !== i);
    expect(repeated).toEqual([]);
    const retries = keys.filter((k) => k.startsWith('charge:') && !k.endsWith(':1')).length;
    const checks = keys.filter((k) => k.startsWith('status-check:')).length;
    const tally = Object.fromEntries(
      ['SUCCESSFUL', 'DECLINED', 'FAILED'].map((s) => [s, docs.filter((d) => d.status === s).length]),
    );
    console.log(
      `loop: ${orders} orders in ${seconds.toFixed(1)} s; ${retries} retries, ${checks} status checks; ${JSON.stringify(tally)}; double charges 0`,
    );
  }, 300_000);

  it('ends the same way when the worker and the executor are each SIGKILLed at random moments and restarted', async () => {
    const { env, prefix } = await setUp('loop-kill');
    const random = seededRandom(2026);
    let worker: PspStreamProcess = startPspStream(['worker'], env);
    let executor: PspStreamProcess = startPspStream(['executor'], env);
    let kills = 0;
    const started = Date.now();
    for (let round = 0; round < 3; round++) {
      await sleep(2_000 + random() * 4_000);
      await killHard(worker);
      worker = startPspStream(['worker'], env);
      await sleep(1_000 + random() * 3_000);
      await killHard(executor);
      executor = startPspStream(['executor'], env);
      kills += 2;
    }
    const docs = await waitAllFinal(prefix, 240_000);
    const seconds = (Date.now() - started) / 1000;
    expect(await stopGently(worker), worker.output()).toBe(0);
    expect(await stopGently(executor), executor.output()).toBe(0);
    expect(kills).toBe(6);
    await expectLoopInvariants(docs, prefix);
    const now = Date.now();
    expect(
      docs.filter((d) => d.status === 'RETRY_PENDING' && (d.nextRetryAt?.getTime() ?? now) + leaseMs < now),
    ).toEqual([]);
    console.log(`loop with ${kills} kills: ${orders} orders final in ${seconds.toFixed(1)} s; double charges 0`);
  }, 300_000);
});
