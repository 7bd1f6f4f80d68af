import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorker, type RunningWorker } from '../../src/cli/run-worker.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { committedOffsets, envNumber } from '../support/fault-stack.js';
import { insertInitiatedOrders, planOrders, publicationOrder, publish, seededRandom } from '../support/psp-results.js';
import { testLogger, uniqueName } from '../support/real-stack.js';
import { describeError, openRun, watchSettled, type ReliabilityRun } from '../support/reliability-run.js';
import { workerTestConfig } from '../support/worker-config.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';

/**
 * Scenario 4 of "Reliability proven": two, then three workers of one consumer group share the partitions
 * while workers join and leave every few seconds under load — graceful stops of in-process workers, and
 * worker processes that are SIGKILLed or stopped with SIGTERM. Nothing may be lost or doubled.
 */
const seconds = envNumber('RELIABILITY_REBALANCE_SECONDS', 36);
const rate = envNumber('RELIABILITY_RATE', 300);
const stepMs = envNumber('RELIABILITY_REBALANCE_STEP_MS', 4_000);
const sigkills = envNumber('RELIABILITY_REBALANCE_SIGKILLS', 1);
const waveOrders = envNumber('RELIABILITY_WAVE_ORDERS', 1_000);
const seed = envNumber('RELIABILITY_SEED', 20261128);
const budgetMs = (Math.max(seconds, (rate * seconds) / 300) + 150) * 1000;

type Member =
  | {
      readonly kind: 'in-process';
      readonly name: string;
      readonly worker: RunningWorker;
      stopping: boolean;
      ended: boolean;
      failure?: unknown;
    }
  | { readonly kind: 'process'; readonly name: string; readonly proc: WorkerProcess; stopping: boolean };

describe('reliability: rebalances under load', () => {
  let run: ReliabilityRun;
  beforeAll(async () => {
    run = await openRun('rebalance', { KAFKA_SESSION_TIMEOUT_MS: '6000' });
  });
  afterAll(async () => {
    await run.close();
  });

  it(
    `loses and doubles nothing while 2–3 workers join and leave every ${stepMs / 1000} s (${seconds} s at ${rate}/s)`,
    async () => {
      const members: Member[] = [];
      const gracefulFailures: string[] = [];
      let count = 0;
      const joinInProcess = async (): Promise<void> => {
        const name = `in-process-${++count}`;
        const worker = await runWorker(workerTestConfig(run.env), testLogger);
        const member: Member = { kind: 'in-process', name, worker, stopping: false, ended: false };
        worker.done.then(
          () => (member.ended = true),
          (error: unknown) => {
            member.ended = true;
            member.failure = error;
          },
        );
        members.push(member);
      };
      const joinProcess = (): void => {
        members.push({ kind: 'process', name: `process-${++count}`, proc: spawnWorker(run.env), stopping: false });
      };
      const leave = async (member: Member, how: 'graceful' | 'SIGKILL'): Promise<void> => {
        member.stopping = true;
        members.splice(members.indexOf(member), 1);
        if (member.kind === 'in-process') {
          await member.worker.stop();
          await member.worker.done.catch(() => undefined);
          if (member.failure !== undefined) gracefulFailures.push(`${member.name}: ${describeError(member.failure)}`);
        } else {
          const exit = await member.proc.kill(how === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM');
          if (how === 'graceful' && exit.code !== 0) gracefulFailures.push(`${member.name}: exit ${exit.code}`);
        }
        console.log(`[rebalance] ${member.name} left (${how}); ${members.length} members`);
      };
      const guard = (): void => {
        for (const m of members) {
          if (m.kind === 'in-process' && m.ended)
            throw new Error(`${m.name} ended by itself: ${describeError(m.failure)}`);
          if (m.kind === 'process' && m.proc.hasExited()) throw new Error(`${m.name} exited by itself`);
        }
      };

      const load = run.startLoad({ rate, seconds, waveOrders, seed });
      try {
        await joinInProcess();
        await joinInProcess();
        const publishing = watchSettled(load.finished());
        let killed = 0;
        for (let step = 0; !publishing.settled(); step++) {
          const until = Date.now() + stepMs;
          while (Date.now() < until && !publishing.settled()) {
            guard();
            await sleep(100);
          }
          if (publishing.settled()) break;
          const oldestInProcess = members.find((m) => m.kind === 'in-process');
          const aProcess = members.find((m) => m.kind === 'process');
          switch (step % 4) {
            case 0:
              await joinInProcess();
              break;
            case 1:
              if (oldestInProcess !== undefined) await leave(oldestInProcess, 'graceful');
              break;
            case 2:
              joinProcess();
              break;
            case 3:
              if (aProcess !== undefined) await leave(aProcess, killed++ < sigkills ? 'SIGKILL' : 'graceful');
              break;
          }
          console.log(`[rebalance] step ${step}: ${members.map((m) => m.name).join(', ')}`);
        }
        expect(count, 'workers started').toBeGreaterThanOrEqual(4);
        const result = await run.settle(load, budgetMs, guard);
        console.log(`[rebalance] ${count} workers, ${Math.min(killed, sigkills)} SIGKILLed: ${result}`);
        for (const m of [...members]) await leave(m, 'graceful');
        expect(gracefulFailures, 'graceful stops ended cleanly').toEqual([]);
      } finally {
        load.stop();
        for (const m of [...members]) {
          if (m.kind === 'in-process') await m.worker.stop();
          else await m.proc.kill('SIGKILL');
        }
      }
    },
    budgetMs + 60_000,
  );

  it('a gracefully stopped worker commits everything it applied before it leaves the group', async () => {
    const random = seededRandom(7);
    const orders = planOrders(2_000, uniqueName('drain-order'), random);
    const events = publicationOrder(orders, 0.2, random);
    await insertInitiatedOrders(
      run.db,
      orders.map((o) => o.id),
    );
    const topic = uniqueName('drain-results');
    const group = uniqueName('drain-group');
    await run.admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 12 }] });
    const producer = run.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await publish(producer, topic, events);
    await producer.disconnect();

    // Which records the worker applied, from its own log lines.
    const applied = new Map<number, number>();
    const logger = createLogger({
      name: 'drain-test',
      level: 'info',
      destination: {
        write: (line: string) => {
          const entry = JSON.parse(line) as { msg?: string; partition?: number; offset?: string };
          if (entry.msg === 'psp result processed' && entry.partition !== undefined && entry.offset !== undefined) {
            applied.set(entry.partition, Math.max(applied.get(entry.partition) ?? -1, Number(entry.offset)));
          }
        },
      },
    });
    // Small lanes: partitions are paused when the stop comes, and the drain empties them below the resume mark.
    const worker = await runWorker(
      workerTestConfig({
        ...run.env,
        PSP_RESULT_TOPIC: topic,
        CONSUMER_GROUP: group,
        SHUTDOWN_TIMEOUT_MS: '60000',
        MAX_IN_FLIGHT_PER_PARTITION: '60',
        MAX_BATCH_SIZE: '20',
      }),
      logger,
    );
    let failure: unknown;
    const done = worker.done.catch((error: unknown) => {
      failure = error ?? 'rejected';
    });
    const deadline = Date.now() + 60_000;
    while ([...(await committedOffsets(run.admin, group, topic)).values()].reduce((a, b) => a + b, 0) < 500) {
      if (Date.now() > deadline) throw new Error('no progress within 60 s');
      await sleep(100);
    }
    await worker.stop();
    await done;
    expect(failure, 'the drain ended cleanly').toBeUndefined();

    const committed = await committedOffsets(run.admin, group, topic);
    const appliedCount = [...applied.values()].reduce((sum, last) => sum + last + 1, 0);
    // The drain finishes whatever was fetched (often everything: one fetch holds a partition's whole backlog).
    console.log(`[rebalance] graceful stop after applying ${appliedCount} of ${events.length} results`);
    const wrong = Array.from({ length: 12 }, (_, p) => p).filter(
      (p) => (committed.get(p) ?? 0) !== (applied.get(p) ?? -1) + 1,
    );
    expect(
      wrong.map((p) => `partition ${p}: applied up to ${applied.get(p) ?? -1}, committed ${committed.get(p) ?? 0}`),
      'committed offsets are exactly what was applied at the graceful stop',
    ).toEqual([]);
  }, 120_000);
});
