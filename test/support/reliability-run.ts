import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
import type { Db } from 'mongodb';
import { expect } from 'vitest';
import { committedOffsets, envNumber, topicEnds, totalOf, untilItWorks } from './fault-stack.js';
import { testDb, testKafka, uniqueName } from './real-stack.js';
import { SteadyLoad, type SteadyLoadOptions } from './steady-load.js';
import { workerTestEnv, workerTopics, type WorkerNames } from './worker-config.js';

/** Whether a promise has settled, and how: for loops that must notice a worker ending by itself. */
export const watchSettled = (
  promise: Promise<unknown>,
): { readonly settled: () => boolean; readonly error: () => unknown } => {
  const state: { settled: boolean; error?: unknown } = { settled: false };
  promise.then(
    () => {
      state.settled = true;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return { settled: () => state.settled, error: () => state.error };
};

export const describeError = (error: unknown): string => {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  // JSON.stringify gives undefined for undefined (its declared type says string).
  const json = JSON.stringify(error) as string | undefined;
  return json ?? 'undefined';
};

export interface ReliabilityRun {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly db: Db;
  readonly names: WorkerNames;
  /** The worker's environment: its own topics, group and database. */
  readonly env: Record<string, string>;
  /** Starts a steady load on the run's topic; retires committed waves in the background until `settle`. */
  readonly startLoad: (
    opts: Pick<SteadyLoadOptions, 'rate' | 'seconds' | 'waveOrders' | 'seed'> & {
      readonly duplicateShare?: number;
      /** Audit and delete committed waves on the way (default); off keeps every order for a later check. */
      readonly retire?: boolean;
      /** Default RELIABILITY_MAX_LIVE_ORDERS, else three waves; unbounded when waves are not retired. */
      readonly maxLiveOrders?: number;
    },
  ) => SteadyLoad;
  /** Committed next-offsets summed over the partitions. */
  readonly committed: () => Promise<number>;
  /**
   * Waits for the load to end and the group to commit everything, then audits every order against the
   * oracle and checks that nothing was dead-lettered. Returns what it saw, for the test's log line.
   * `guard` is called while waiting and may throw to fail early (a worker that died by itself). A run that
   * publishes bad records on purpose checks the DLQ itself (`deadLetters: 'expected'`).
   */
  readonly settle: (
    load: SteadyLoad,
    timeoutMs: number,
    guard?: () => void,
    opts?: { readonly deadLetters?: 'none' | 'expected' },
  ) => Promise<string>;
  readonly close: () => Promise<void>;
}

export const openRun = async (label: string, envOverrides: Record<string, string> = {}): Promise<ReliabilityRun> => {
  const kafka = testKafka();
  const admin = kafka.admin();
  await admin.connect();
  const store = await testDb();
  const names: WorkerNames = await workerTopics(admin, label, store.db.databaseName);
  const env = { ...workerTestEnv(names), ...envOverrides };
  let watching: Promise<void> | undefined;
  let stopWatching = false;
  const started = Date.now();

  const committed = async (): Promise<number> => totalOf(await committedOffsets(admin, names.group, names.topic));

  const watch = async (load: SteadyLoad, retire: boolean): Promise<void> => {
    let lastLog = 0;
    while (!stopWatching) {
      try {
        if (retire) await load.retireCommittedWaves(names.group);
        if (Date.now() - lastLog >= 5_000) {
          lastLog = Date.now();
          console.log(
            `[${label} +${((Date.now() - started) / 1000).toFixed(0)} s] published ${load.published()}, ` +
              `committed ${await committed()}, live orders ${load.liveOrders()}, retired waves ${load.retiredWaves()}`,
          );
        }
      } catch {
        // the broker or the store is away on purpose: try again later
      }
      await sleep(500);
    }
  };

  return {
    kafka,
    admin,
    db: store.db,
    names,
    env,
    committed,
    startLoad: ({ retire = true, duplicateShare = 0.2, maxLiveOrders, ...opts }) => {
      const load = new SteadyLoad({
        kafka,
        admin,
        db: store.db,
        topic: names.topic,
        duplicateShare,
        maxLiveOrders: retire
          ? (maxLiveOrders ?? envNumber('RELIABILITY_MAX_LIVE_ORDERS', 3 * opts.waveOrders))
          : Number.POSITIVE_INFINITY,
        prefix: uniqueName(`${label}-order`),
        ...opts,
      });
      watching = watch(load, retire);
      return load;
    },
    settle: async (load, timeoutMs, guard, opts) => {
      const deadline = Date.now() + timeoutMs;
      const finished = load.finished();
      const publishing = watchSettled(finished);
      while (!publishing.settled()) {
        guard?.();
        if (Date.now() > deadline) throw new Error(`the load did not finish within ${timeoutMs} ms`);
        await sleep(250);
      }
      const summary = await finished;
      for (;;) {
        guard?.();
        const [ends, done] = await Promise.all([
          topicEnds(admin, names.topic),
          committedOffsets(admin, names.group, names.topic),
        ]);
        const behind = [...ends].reduce((sum, [p, end]) => sum + Math.max(0, end - (done.get(p) ?? 0)), 0);
        if (behind === 0) break;
        if (Date.now() > deadline)
          throw new Error(`group ${names.group} still ${behind} results behind after ${timeoutMs} ms`);
        await sleep(250);
      }
      stopWatching = true;
      await watching;
      const { orders, wrong } = await load.audit();
      const dead = totalOf(await untilItWorks(() => topicEnds(admin, names.dlq), 30_000));
      expect(wrong.slice(0, 10), `${wrong.length} of ${orders} orders are wrong`).toEqual([]);
      if (opts?.deadLetters !== 'expected') expect(dead, 'results dead-lettered').toBe(0);
      return (
        `${summary.events} events (${orders} orders in ${summary.waves} waves, ${load.retiredWaves()} audited ` +
        `and retired on the way) published in ${summary.seconds.toFixed(1)} s (${summary.rate.toFixed(0)}/s, ` +
        `${summary.throttledSeconds.toFixed(1)} s waiting for the store to catch up), ${summary.failedSends} sends ` +
        `made again; all committed and audited after ${((Date.now() - started) / 1000).toFixed(1)} s`
      );
    },
    close: async () => {
      stopWatching = true;
      await watching;
      await admin.disconnect();
      await store.close();
    },
  };
};
