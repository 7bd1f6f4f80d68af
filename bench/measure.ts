import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Admin } from 'kafkajs';
import { cpuSecondsOf } from './server-pids.js';

/** Small measuring tools shared by the rows. */

export const runId = randomUUID().slice(0, 8);
const namesGiven = new Map<string, number>();
/**
 * A fresh Kafka/MongoDB name for this run: `bench-<run id>-<what>`, and `…-<what>-2`, `-3`… when a row runs
 * again in the same run (once per stand-in set), so no database, topic or group is ever shared.
 */
export const freshName = (what: string): string => {
  const n = (namesGiven.get(what) ?? 0) + 1;
  namesGiven.set(what, n);
  return `bench-${runId}-${what}${n === 1 ? '' : `-${n}`}`;
};
export const freshDbName = (what: string): string => {
  // Numbered apart from topics and groups of the same name: bench_<run>_e, bench_<run>_e_2, …
  const n = (namesGiven.get(`db ${what}`) ?? 0) + 1;
  namesGiven.set(`db ${what}`, n);
  return `bench-${runId}-${what}${n === 1 ? '' : `-${n}`}`.replace(/-/g, '_');
};

export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
};

/** Samples `process.memoryUsage().rss` every 100 ms until stopped; returns the peak in MiB. */
export const rssSampler = (): { readonly stop: () => { readonly peakMiB: number; readonly startMiB: number } } => {
  const startMiB = process.memoryUsage().rss / 2 ** 20;
  let peak = startMiB;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss / 2 ** 20);
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss / 2 ** 20);
      return { peakMiB: peak, startMiB };
    },
  };
};

let serverPids: { readonly broker?: number | undefined; readonly store?: number | undefined } = {};
/** The broker's and the stand-in's pids (see server-pids.ts), for `cpuMeter`. */
export const setServerPids = (pids: typeof serverPids): void => {
  serverPids = pids;
};

export interface CpuUse {
  /** Cores this process kept busy on average (1.0 = one core). */
  readonly processCores: number;
  /** CPU seconds this process used (user + system): per event, what other load on the machine disturbs least. */
  readonly processSeconds: number;
  /** Cores the Kafka broker and the MongoDB stand-in kept busy (undefined when not local). */
  readonly brokerCores: number | undefined;
  readonly storeCores: number | undefined;
  /** Cores busy with anything else: another test run on the same machine shows up here. */
  readonly otherCores: number | undefined;
  /** Share of all cores busy, every process included. */
  readonly machineBusy: number;
}

/** Microseconds of this process's CPU per event over the meter's interval. */
export const cpuMicrosPerEvent = (c: CpuUse | undefined, events: number): number | undefined =>
  c === undefined ? undefined : (c.processSeconds * 1e6) / events;

export const describeCpu = (c: CpuUse | undefined): string => {
  if (c === undefined) return 'CPU -';
  const f = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(2));
  return `CPU cores: bench ${f(c.processCores)}, broker ${f(c.brokerCores)}, stand-in ${f(c.storeCores)}, other ${f(c.otherCores)} (machine ${Math.round(100 * c.machineBusy)}% busy)`;
};

/** CPU of this process, of the broker and stand-in, and of the whole machine over an interval. */
export const cpuMeter = (): { readonly stop: () => CpuUse } => {
  const t0 = performance.now();
  const p0 = process.cpuUsage();
  const broker0 = cpuSecondsOf(serverPids.broker);
  const store0 = cpuSecondsOf(serverPids.store);
  const machine = (): { busy: number; total: number } =>
    cpus().reduce(
      (acc, c) => {
        const total = c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
        return { busy: acc.busy + total - c.times.idle, total: acc.total + total };
      },
      { busy: 0, total: 0 },
    );
  const m0 = machine();
  return {
    stop: () => {
      const wallS = (performance.now() - t0) / 1000;
      const p = process.cpuUsage(p0);
      const m = machine();
      const machineBusy = (m.busy - m0.busy) / Math.max(1, m.total - m0.total);
      const cores = (before: number | undefined, after: number | undefined): number | undefined =>
        before === undefined || after === undefined ? undefined : (after - before) / wallS;
      const processCores = (p.user + p.system) / 1e6 / wallS;
      const brokerCores = cores(broker0, cpuSecondsOf(serverPids.broker));
      const storeCores = cores(store0, cpuSecondsOf(serverPids.store));
      const otherCores =
        brokerCores === undefined || storeCores === undefined
          ? undefined
          : Math.max(0, machineBusy * cpus().length - processCores - brokerCores - storeCores);
      return {
        processCores,
        processSeconds: (p.user + p.system) / 1e6,
        brokerCores,
        storeCores,
        otherCores,
        machineBusy,
      };
    },
  };
};

export const waitUntil = async (what: string, done: () => boolean, timeoutMs: number, everyMs = 20): Promise<void> => {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
};

/** High watermark of each partition: where a group has committed everything. */
export const endOffsets = async (admin: Admin, topic: string): Promise<ReadonlyMap<number, number>> =>
  new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));

/** Polls the group's committed offsets until they reach `ends`; resolves with performance.now() at that poll. */
export const waitForCommitted = async (
  admin: Admin,
  group: string,
  topic: string,
  ends: ReadonlyMap<number, number>,
  timeoutMs: number,
  everyMs = 50,
): Promise<number> => {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    let offsets: Awaited<ReturnType<Admin['fetchOffsets']>>[number] | undefined;
    try {
      [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    } catch (e) {
      // On a fresh broker the offsets topic is still being made: "not the correct coordinator", "loading".
      if ((e as { retriable?: boolean }).retriable !== true || performance.now() > deadline) throw e;
      await sleep(everyMs);
      continue;
    }
    const committed = new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    let behind = 0;
    for (const [p, high] of ends) behind += Math.max(0, high - Math.max(0, committed.get(p) ?? 0));
    if (behind === 0) return performance.now();
    if (performance.now() > deadline) throw new Error(`group ${group} still ${behind} behind after ${timeoutMs} ms`);
    await sleep(everyMs);
  }
};

/** Tracks acknowledged commits in-process and tells when every partition reached its end. */
export const commitTracker = (ends: ReadonlyMap<number, number>) => {
  const committed = new Map<number, number>();
  let reachedAt: number | undefined;
  return {
    onCommitted: (offsets: ReadonlyArray<readonly [number, number]>): void => {
      for (const [p, next] of offsets) committed.set(p, Math.max(next, committed.get(p) ?? 0));
      if (reachedAt === undefined && [...ends].every(([p, high]) => (committed.get(p) ?? 0) >= high)) {
        reachedAt = performance.now();
      }
    },
    reachedAt: (): number | undefined => reachedAt,
  };
};

export const round = (n: number, digits = 0): number => Number(n.toFixed(digits));

let gcFn: (() => void) | undefined;
/** A full garbage collection, to read the heap that is really retained (V8's gc, exposed at run time). */
export const forceGc = (): void => {
  if (gcFn === undefined) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
};

export const heapUsedMiB = (): number => {
  forceGc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
