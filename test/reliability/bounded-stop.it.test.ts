import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboxEntry } from '../../src/outbox/outbox-entry.js';
import { outboxCollection } from '../../src/outbox/outbox-store.js';
import { ensureTopics } from '../../src/kafka/topics.js';
import { faultStack, freeze, httpStatus, thaw, topicEnds, totalOf, untilItWorks } from '../support/fault-stack.js';
import { freePort } from '../../src/stack/free-port.js';
import { startPspStream, stopGently } from '../support/processes.js';
import { uniqueName } from '../support/real-stack.js';
import { openRun, type ReliabilityRun } from '../support/reliability-run.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';

/**
 * Issue 15, point 4: a stop always ends, and loses nothing. SIGTERM with a large backlog in flight: the
 * process exits within SHUTDOWN_TIMEOUT_MS plus a small bound, /readyz says 503 from the start of the stop,
 * nothing valid is dead-lettered, and a restarted worker applies everything exactly once. The executor
 * stops in bounded time with a large outbox. And (point 3) start-up waits for a store that answers late.
 */
const shutdownTimeoutMs = 3_000;
/** Closing the clients after the deadline, plus process exit. */
const exitBoundMs = 5_000;

const untilStatus = async (port: number, status: number, timeoutMs: number, alive: () => boolean): Promise<number> => {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (!alive()) throw new Error('the process exited');
    if ((await httpStatus(port, '/readyz', 1_000)) === status) return Date.now() - t0;
    await sleep(100);
  }
  throw new Error(`/readyz did not answer ${status} within ${timeoutMs} ms`);
};

describe('reliability: a stop that always ends, and a start that waits', () => {
  let run: ReliabilityRun;
  beforeAll(async () => {
    run = await openRun('bounded-stop');
  });
  afterAll(async () => {
    await run.close();
  });

  /**
   * A worker consuming a backlog gets SIGTERM (with the store frozen first when `hang` is set, so that the
   * drain cannot finish and the deadline must cut it); then a fresh worker takes over and every order is
   * audited. Returns nothing; asserts exit time, exit code, readiness and the dead-letter count.
   */
  const stopUnderBacklog = async (label: string, hang: { freeze: () => void; thaw: () => void } | undefined) => {
    const load = run.startLoad({ rate: 3_000, seconds: 4, waveOrders: 2_000, seed: 15_4, retire: false });
    await load.finished();
    const workers: WorkerProcess[] = [];
    try {
      const port = await freePort();
      const worker = spawnWorker({
        ...run.env,
        METRICS_PORT: String(port),
        SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
      });
      workers.push(worker);
      await untilStatus(port, 200, 60_000, () => !worker.hasExited());
      while ((await run.committed()) < 200) await sleep(50);
      const backlog = totalOf(await topicEnds(run.admin, run.names.topic)) - (await run.committed());
      hang?.freeze();
      const t0 = Date.now();
      const exit = worker.kill('SIGTERM');
      // /readyz from the stop on, until the process is gone (0: the health server closed).
      const seen: { readonly at: number; readonly status: number }[] = [];
      while (!worker.hasExited()) {
        seen.push({ at: Date.now() - t0, status: await httpStatus(port, '/readyz', 500) });
        await sleep(50);
      }
      const stopMs = Date.now() - t0;
      hang?.thaw();
      const readyAfterStop = seen.filter((s) => s.at >= 300 && s.status === 200);
      console.log(
        `[bounded-stop] ${label}: SIGTERM with ${backlog} results uncommitted: exit ${JSON.stringify(await exit)} ` +
          `after ${stopMs} ms (SHUTDOWN_TIMEOUT_MS ${shutdownTimeoutMs}); /readyz after SIGTERM: ` +
          seen.map((s) => `${s.status}@${s.at}`).join(' '),
      );
      expect(readyAfterStop, 'ready again after the stop began').toEqual([]);
      expect(await exit).toEqual({ code: 0, signal: null });
      expect(stopMs).toBeLessThanOrEqual(shutdownTimeoutMs + exitBoundMs);
      expect(totalOf(await topicEnds(run.admin, run.names.dlq)), 'valid results dead-lettered').toBe(0);
      // What did not finish is redelivered to the next worker: every order right, nothing doubled.
      const nextPort = await freePort();
      const next = spawnWorker({ ...run.env, METRICS_PORT: String(nextPort) });
      workers.push(next);
      await untilStatus(nextPort, 200, 60_000, () => !next.hasExited());
      const result = await run.settle(load, 240_000, () => {
        if (next.hasExited()) throw new Error('the restarted worker exited by itself');
      });
      console.log(`[bounded-stop] ${label}: after restart: ${result}`);
      expect(await next.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      hang?.thaw();
      load.stop();
      await Promise.all(workers.map((w) => w.kill('SIGKILL')));
    }
  };

  it(`SIGTERM with a backlog in flight: exit within SHUTDOWN_TIMEOUT_MS + ${exitBoundMs / 1000} s, not ready from the stop on, nothing dead-lettered, all applied once after a restart`, async () => {
    await stopUnderBacklog('backlog', undefined);
  }, 400_000);

  it(`SIGTERM while the store hangs with a backlog in flight: the drain is cut at SHUTDOWN_TIMEOUT_MS, nothing dead-lettered, all applied once after a restart`, async (ctx) => {
    const stack = faultStack();
    const mongoPid = stack.mongo.pid();
    if (stack.skipReason !== undefined || mongoPid === undefined) {
      ctx.skip();
      return;
    }
    let frozen = false;
    await stopUnderBacklog('store frozen', {
      freeze: () => {
        freeze(mongoPid);
        frozen = true;
      },
      thaw: () => {
        if (frozen) thaw(mongoPid);
        frozen = false;
      },
    });
  }, 400_000);

  it('the executor stops within SHUTDOWN_TIMEOUT_MS + a small bound with 9,500 entries pending in its outbox', async () => {
    const topic = uniqueName('bounded-stop-out');
    await ensureTopics(run.admin, [{ topic, partitions: 12 }]);
    const outbox = run.db.collection<OutboxEntry>(outboxCollection);
    const now = Date.now();
    const pending = 9_500;
    await outbox.insertMany(
      Array.from({ length: pending }, (_, i): OutboxEntry => ({
        _id: `e-${i}`,
        dedupKey: `d-${i}`,
        topic,
        key: `k-${i % 500}`,
        value: JSON.stringify({ i, pad: 'x'.repeat(200) }),
        headers: {},
        status: 'pending',
        createdAt: new Date(now + i),
        claim: null,
      })),
    );
    const port = await freePort();
    const executor = startPspStream(['executor'], {
      ...run.env,
      PSP_RESULT_TOPIC: topic,
      PSP_COMMAND_TOPIC: uniqueName('bounded-stop-cmd'),
      PSP_COMMAND_DLQ_TOPIC: uniqueName('bounded-stop-cmd-dlq'),
      EXECUTOR_GROUP: uniqueName('bounded-stop-exec'),
      EXECUTOR_METRICS_PORT: String(port),
      SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    });
    try {
      const alive = (): boolean => executor.child.exitCode === null && executor.child.signalCode === null;
      await untilStatus(port, 200, 60_000, alive);
      // The relay is busy publishing the backlog when the stop comes.
      while ((await outbox.countDocuments({ status: 'sent' })) === 0) await sleep(100);
      const t0 = Date.now();
      const exiting = stopGently(executor);
      // Readiness is off once the process handled the signal (0: the health server already closed).
      await sleep(200);
      const readiness = await httpStatus(port, '/readyz', 1_000);
      const code = await exiting;
      const stopMs = Date.now() - t0;
      const left = await outbox.countDocuments({ status: 'pending' });
      console.log(
        `[bounded-stop] executor SIGTERM with ${pending} entries in its outbox: exit ${code} after ${stopMs} ms; ` +
          `/readyz 200 ms after SIGTERM: ${readiness}; ${left} entries left pending for the next relay`,
      );
      expect([503, 0]).toContain(readiness);
      expect(code, executor.output()).toBe(0);
      expect(stopMs).toBeLessThanOrEqual(shutdownTimeoutMs + exitBoundMs);
    } finally {
      executor.child.kill('SIGKILL');
    }
  }, 120_000);

  it('start-up waits for a store that answers only after a few seconds, not ready meanwhile', async (ctx) => {
    const stack = faultStack();
    const mongoPid = stack.mongo.pid();
    if (stack.skipReason !== undefined || mongoPid === undefined) {
      ctx.skip();
      return;
    }
    const port = await freePort();
    let worker: WorkerProcess | undefined;
    freeze(mongoPid);
    try {
      worker = spawnWorker({ ...run.env, METRICS_PORT: String(port) });
      // Frozen for longer than the driver's server selection timeout (5 s): the first attempt fails.
      await sleep(9_000);
      const whileFrozen = await httpStatus(port, '/readyz', 1_000);
      expect(worker.hasExited(), 'the worker exited while the store was frozen').toBe(false);
      expect(whileFrozen).toBe(503);
      thaw(mongoPid);
      const readyAfter = await untilStatus(port, 200, 60_000, () => worker?.hasExited() === false);
      console.log(
        `[bounded-stop] store frozen 9 s at start-up: /readyz ${whileFrozen} meanwhile, ready ${readyAfter} ms after thaw`,
      );
      expect(await worker.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      thaw(mongoPid);
      await worker?.kill('SIGKILL');
      await untilItWorks(() => run.db.command({ ping: 1 }), 30_000);
    }
  }, 180_000);
});
