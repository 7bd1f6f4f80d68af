import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { resolve } from 'node:path';

const repoRoot = resolve(import.meta.dirname, '../..');

export interface WorkerProcess {
  readonly pid: number;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  readonly hasExited: () => boolean;
  /** Sends the signal and waits for the exit. */
  readonly kill: (
    signal: NodeJS.Signals,
  ) => Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
}

/** `psp-stream worker` as a child process, exactly as deployed: `node --import tsx src/cli/main.ts worker`. */
export const spawnWorker = (env: Record<string, string>): WorkerProcess => {
  // RELIABILITY_WORKER_LOG=<file>: the workers' log lines (LOG_LEVEL, from TEST_LOG_LEVEL) appended there.
  const logFile = process.env['RELIABILITY_WORKER_LOG'];
  const out = logFile === undefined || logFile === '' ? 'ignore' : openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, 'inherit'],
  });
  if (typeof out === 'number') closeSync(out);
  if (child.pid === undefined) throw new Error('could not start the worker process');
  let gone = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('exit', (code, signal) => {
      gone = true;
      resolveExit({ code, signal });
    });
  });
  return {
    pid: child.pid,
    exited,
    hasExited: () => gone,
    kill: async (signal) => {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
};
