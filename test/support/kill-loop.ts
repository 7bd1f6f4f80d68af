import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import type { ReliabilityRun } from './reliability-run.js';
import { spawnWorker, type WorkerProcess } from './worker-process.js';

/**
 * Starts a worker process, lets it commit progress of its own, then SIGKILLs it at a random moment (in the
 * middle of a batch, between a write and its commit, during a commit), `kills` times in a row. Returns every
 * process started, for the caller's clean-up.
 */
export const killWorkersInTurn = async (
  run: ReliabilityRun,
  opts: {
    readonly label: string;
    readonly kills: number;
    readonly random: () => number;
    /** Committed records to wait for before the kill after the k-th start (0-based). */
    readonly progress: (k: number) => number;
    /** How long to wait for that progress; with `requireProgress`, not reaching it fails the test. */
    readonly progressTimeoutMs: number;
    readonly requireProgress: boolean;
    /** The random pause before each kill is up to this long. */
    readonly maxPauseMs: number;
  },
): Promise<WorkerProcess[]> => {
  const workers: WorkerProcess[] = [];
  for (let k = 0; k < opts.kills; k++) {
    const worker = spawnWorker(run.env);
    workers.push(worker);
    const before = await run.committed();
    const progress = opts.progress(k);
    const deadline = Date.now() + opts.progressTimeoutMs;
    while ((await run.committed()) < before + progress && Date.now() < deadline && !worker.hasExited()) {
      await sleep(100);
    }
    expect(worker.hasExited(), `worker ${k + 1} exited by itself`).toBe(false);
    if (opts.requireProgress) {
      expect(
        await run.committed(),
        `worker ${k + 1} made no progress within ${opts.progressTimeoutMs} ms`,
      ).toBeGreaterThanOrEqual(before + progress);
    }
    await sleep(Math.floor(opts.random() * opts.maxPauseMs));
    const { signal } = await worker.kill('SIGKILL');
    expect(signal).toBe('SIGKILL');
    console.log(`[${opts.label}] killed worker ${k + 1}/${opts.kills}: ${await run.committed()} committed`);
  }
  return workers;
};
