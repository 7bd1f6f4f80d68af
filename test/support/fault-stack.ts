import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { localStack } from '../../src/stack/local-stack.js';
import type { LocalServer } from '../../src/stack/service.js';

/** A positive number from the environment, for the long-running (soak) variants of the reliability tests. */
export const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}="${raw}" is not a non-negative number`);
  return n;
};

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
const startTicks = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return undefined;
  }
};

const parentOf = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
};

/** The outermost `with-local-stack` process this test process runs under, if any. */
const wrapperPid = (): number | undefined => {
  let found: number | undefined;
  for (let pid: number | undefined = process.pid; pid !== undefined && pid > 1; pid = parentOf(pid)) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('with-local-stack')) found = pid;
    } catch {
      return found;
    }
  }
  return found;
};

export interface FaultStack {
  readonly kafka: LocalServer;
  readonly mongo: LocalServer;
  /** Why the fault tests must not run here, or undefined when they may stop and freeze these servers. */
  readonly skipReason: string | undefined;
}

/**
 * The local servers the tests may stop, restart and freeze. Fault tests run only when the environment's
 * KAFKA_BROKERS / MONGO_URL are this stack's own servers, and only when those servers were started for this
 * very run by `with-local-stack` (started after it): servers that were already running are shared with other
 * people and are never touched. `RELIABILITY_FAULTS=force` lifts the second condition (a stack you started
 * yourself with PSP_STACK_DIR and your own ports); `RELIABILITY_FAULTS=off` skips the fault tests.
 */
export const faultStack = (): FaultStack => {
  // Blank addresses: the stack describes its own embedded servers (PSP_STACK_* still apply).
  const own = localStack({ ...process.env, KAFKA_BROKERS: '', MONGO_URL: '' });
  const find = (name: string): LocalServer => {
    const server = own.embedded.find((s) => s.name === name);
    if (server === undefined) throw new Error(`the local stack has no ${name} server`);
    return server;
  };
  const kafka = find('kafka');
  const mongo = find('mongo');
  const mode = process.env['RELIABILITY_FAULTS'] ?? 'auto';
  const skipReason = ((): string | undefined => {
    if (mode === 'off') return 'RELIABILITY_FAULTS=off';
    if (
      process.env['KAFKA_BROKERS'] !== kafka.connectionString ||
      process.env['MONGO_URL'] !== mongo.connectionString
    ) {
      return `KAFKA_BROKERS/MONGO_URL are not this machine's local stack (${kafka.connectionString}, ${mongo.connectionString}): an external cluster is never stopped or frozen`;
    }
    const kafkaPid = kafka.pid();
    const mongoPid = mongo.pid();
    if (kafkaPid === undefined || mongoPid === undefined) return 'the local stack servers have no pid file of ours';
    if (mode === 'force') return undefined;
    const wrapper = wrapperPid();
    const since = wrapper === undefined ? undefined : startTicks(wrapper);
    const startedHere = (pid: number): boolean => {
      const t = startTicks(pid);
      return since !== undefined && t !== undefined && t >= since;
    };
    if (!startedHere(kafkaPid) || !startedHere(mongoPid)) {
      return (
        'the local servers were already running before this test run (shared with others): fault tests only ' +
        'stop or freeze servers started for this run; use PSP_STACK_DIR and PSP_STACK_*_PORT for a stack of ' +
        'your own, or RELIABILITY_FAULTS=force'
      );
    }
    return undefined;
  })();
  if (skipReason !== undefined) console.warn(`reliability fault tests skipped: ${skipReason}`);
  return { kafka, mongo, skipReason };
};

/** SIGSTOP: the process keeps its memory (the stand-in's data) but answers nothing until `thaw`. */
export const freeze = (pid: number): void => {
  process.kill(pid, 'SIGSTOP');
};

export const thaw = (pid: number): void => {
  process.kill(pid, 'SIGCONT');
};

/** Committed next-offset per partition of the group (0 where nothing is committed yet). */
export const committedOffsets = async (admin: Admin, groupId: string, topic: string): Promise<Map<number, number>> => {
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((offsets[0]?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]));
};

export const totalOf = (offsets: ReadonlyMap<number, number>): number =>
  [...offsets.values()].reduce((sum, n) => sum + n, 0);

/** High watermark per partition. */
export const topicEnds = async (admin: Admin, topic: string): Promise<Map<number, number>> =>
  new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));

/** Retries a call (an admin request while the broker is down) until it succeeds or the deadline passes. */
export const untilItWorks = async <T>(call: () => Promise<T>, timeoutMs: number, pauseMs = 250): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(pauseMs);
    }
  }
};

/** Status code of `GET http://127.0.0.1:<port><path>`, or 0 when nothing answered within `timeoutMs`. */
export const httpStatus = (port: number, path: string, timeoutMs = 3_000): Promise<number> =>
  new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('timeout', () => {
      req.destroy();
      resolve(0);
    });
    req.once('error', () => {
      resolve(0);
    });
  });
