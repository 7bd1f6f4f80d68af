import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorker, type RunningWorker } from '../../src/cli/run-worker.js';
import { committedOffsets, envNumber } from '../support/fault-stack.js';
import { testLogger } from '../support/real-stack.js';
import { describeError, openRun, watchSettled, type ReliabilityRun } from '../support/reliability-run.js';
import { workerTestConfig } from '../support/worker-config.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';

/**
 * Issue 15, point 5: the group's committed offsets never go backwards while workers join, leave (gracefully,
 * with a drain under backlog) and are SIGKILLed under load. Committed offsets are polled every ~200 ms; any
 * decrease on any partition fails the test, and the usual audit proves nothing lost or doubled.
 */
const seconds = envNumber('RELIABILITY_OFFSETS_SECONDS', 30);
const rate = envNumber('RELIABILITY_RATE', 300);
const stepMs = envNumber('RELIABILITY_OFFSETS_STEP_MS', 3_000);
const pollMs = envNumber('RELIABILITY_OFFSETS_POLL_MS', 200);
const waveOrders = envNumber('RELIABILITY_WAVE_ORDERS', 1_000);
const seed = envNumber('RELIABILITY_SEED', 20261201);
const budgetMs = (Math.max(seconds, (rate * seconds) / 300) + 150) * 1000;

type Member =
  | { readonly kind: 'in-process'; readonly name: string; readonly worker: RunningWorker }
  | { readonly kind: 'process'; readonly name: string; readonly proc: WorkerProcess };

describe('reliability: committed offsets under rebalances', () => {
  let run: ReliabilityRun;
  beforeAll(async () => {
    // Small lanes, so that a leaving worker has a drain to do while its partitions move.
    run = await openRun('offsets', {
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      MAX_IN_FLIGHT_PER_PARTITION: '200',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
  });
  afterAll(async () => {
    await run.close();
  });

  it(
    `no partition's committed offset ever decreases while workers join, drain, leave and die (${seconds} s at ${rate}/s)`,
    async () => {
      const members: Member[] = [];
      let count = 0;
      const decreases: string[] = [];
      let polls = 0;
      let pollFailures = 0;
      const poll = { on: true };
      const last = new Map<number, number>();
      const poller = (async () => {
        while (poll.on) {
          try {
            const now = await committedOffsets(run.admin, run.names.group, run.names.topic);
            polls++;
            for (const [p, offset] of now) {
              const before = last.get(p);
              if (before !== undefined && offset < before) {
                decreases.push(`partition ${p}: ${before} → ${offset} at poll ${polls}`);
              }
              if (before === undefined || offset > before) last.set(p, offset);
            }
          } catch {
            pollFailures++;
          }
          await sleep(pollMs);
        }
      })();

      const joinInProcess = async (): Promise<void> => {
        const worker = await runWorker(workerTestConfig(run.env), testLogger);
        members.push({ kind: 'in-process', name: `in-process-${++count}`, worker });
      };
      const joinProcess = (): void => {
        members.push({ kind: 'process', name: `process-${++count}`, proc: spawnWorker(run.env) });
      };
      const leave = async (member: Member, how: 'graceful' | 'SIGKILL'): Promise<void> => {
        members.splice(members.indexOf(member), 1);
        if (member.kind === 'in-process') {
          // A drain under backlog: another member takes the partitions while this one still works on them.
          await member.worker.stop();
          await member.worker.done.catch((error: unknown) => {
            console.log(`[offsets] ${member.name} ended with ${describeError(error)}`);
          });
        } else {
          await member.proc.kill(how === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM');
        }
        console.log(`[offsets] ${member.name} left (${how}); ${members.length} members`);
      };

      const load = run.startLoad({ rate, seconds, waveOrders, seed });
      try {
        await joinInProcess();
        joinProcess();
        const publishing = watchSettled(load.finished());
        for (let step = 0; !publishing.settled(); step++) {
          const until = Date.now() + stepMs;
          while (Date.now() < until && !publishing.settled()) await sleep(100);
          if (publishing.settled()) break;
          const inProcess = members.find((m) => m.kind === 'in-process');
          const aProcess = members.find((m) => m.kind === 'process');
          switch (step % 4) {
            case 0:
              await joinInProcess();
              break;
            case 1:
              // not awaited: the group rebalances while this member drains
              if (inProcess !== undefined) void leave(inProcess, 'graceful');
              break;
            case 2:
              joinProcess();
              break;
            case 3:
              if (aProcess !== undefined) await leave(aProcess, step % 8 === 3 ? 'SIGKILL' : 'graceful');
              break;
          }
          if (members.length === 0) await joinInProcess();
        }
        // The audit (nothing lost or doubled) is checked after the offsets, so a failure names both.
        const settled = await run.settle(load, budgetMs).then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        );
        poll.on = false;
        await poller;
        console.log(
          `[offsets] ${count} workers; ${polls} polls of committed offsets every ${pollMs} ms (${pollFailures} failed); ` +
            `${decreases.length} decreases; ${'result' in settled ? settled.result : describeError(settled.error)}`,
        );
        expect(polls, 'committed offsets were polled throughout').toBeGreaterThan(seconds);
        expect(decreases, 'committed offsets never went backwards').toEqual([]);
        if ('error' in settled) throw settled.error;
      } finally {
        poll.on = false;
        load.stop();
        for (const m of [...members]) {
          if (m.kind === 'in-process') await m.worker.stop();
          else await m.proc.kill('SIGKILL');
        }
      }
    },
    budgetMs + 60_000,
  );
});
