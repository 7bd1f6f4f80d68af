import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envNumber } from '../support/fault-stack.js';
import { seededRandom } from '../support/psp-results.js';
import { openRun, type ReliabilityRun } from '../support/reliability-run.js';
import { killWorkersInTurn } from '../support/kill-loop.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';

/**
 * Scenario 1 of "Reliability proven": a steady load while the worker process is SIGKILLed at random moments
 * and started again each time. CI defaults are short; a soak is the same test with larger values, e.g.
 * RELIABILITY_SECONDS=600 RELIABILITY_RATE=1000 RELIABILITY_KILLS=12 (rate × seconds events; the producer
 * holds back when the store falls behind, so the run lasts longer and reports the rate it sustained).
 */
const seconds = envNumber('RELIABILITY_SECONDS', 30);
const rate = envNumber('RELIABILITY_RATE', 400);
const kills = envNumber('RELIABILITY_KILLS', 4);
const waveOrders = envNumber('RELIABILITY_WAVE_ORDERS', 1_000);
const seed = envNumber('RELIABILITY_SEED', 20261125);
// A killed worker's partitions wait for its session to expire (6 s) before its successor gets them; the load
// may run slower than `rate` when the store falls behind (see maxLiveOrders), but not below about 300/s.
const budgetMs = (Math.max(seconds, (rate * seconds) / 300) + kills * 20 + 120) * 1000;

describe('reliability: worker crash loop under steady load', () => {
  let run: ReliabilityRun;
  beforeAll(async () => {
    run = await openRun('crash-loop', { KAFKA_SESSION_TIMEOUT_MS: '6000' });
  });
  afterAll(async () => {
    await run.close();
  });

  it(
    `applies every distinct result exactly once across ${kills} SIGKILLs at random moments (${seconds} s at ${rate}/s)`,
    async () => {
      const random = seededRandom(seed);
      const load = run.startLoad({ rate, seconds, waveOrders, seed });
      const workers: WorkerProcess[] = [];
      try {
        // Each incarnation joins and commits progress of its own (its first, large catch-up batch included)
        // before its kill; every other kill lands sooner: right after its first commit.
        workers.push(
          ...(await killWorkersInTurn(run, {
            label: 'crash-loop',
            kills,
            random,
            progress: (k) => (k % 2 === 0 ? Math.min(300, Math.floor((rate * seconds) / (kills + 1) / 4)) : 1),
            progressTimeoutMs: 60_000,
            requireProgress: true,
            maxPauseMs: 3_000,
          })),
        );
        const last = spawnWorker(run.env);
        workers.push(last);
        const result = await run.settle(load, budgetMs, () => {
          if (last.hasExited()) throw new Error('the last worker exited by itself');
        });
        console.log(`[crash-loop] ${kills} SIGKILLs: ${result}`);
        const exit = await last.kill('SIGTERM');
        expect(exit, 'the last worker drains and exits cleanly on SIGTERM').toEqual({ code: 0, signal: null });
      } finally {
        load.stop();
        await Promise.all(workers.map((w) => w.kill('SIGKILL')));
      }
    },
    budgetMs + 60_000,
  );
});
