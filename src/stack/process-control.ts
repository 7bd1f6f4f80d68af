import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A server we started is known by its pid file, and the pid counts as ours only while its command line
 * still names our stack folder: a stale pid reused by another process is never signalled.
 */
export const runningPid = (pidFile: string, marker: string): number | undefined => {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(marker) ? pid : undefined;
  } catch {
    return undefined;
  }
};

export interface Launch {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly logFile: string;
  readonly pidFile: string;
}

export const launchDetached = (launch: Launch): number => {
  const out = openSync(launch.logFile, 'a');
  const child = spawn(launch.command, launch.args, {
    cwd: launch.cwd,
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${launch.command}`);
  child.unref();
  writeFileSync(launch.pidFile, `${child.pid}\n`);
  return child.pid;
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone and its pid file removed. */
export const stopPid = async (pid: number, pidFile: string, graceMs = 15_000): Promise<void> => {
  process.kill(pid, 'SIGCONT'); // a frozen server cannot act on SIGTERM
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (alive(pid)) await sleep(50);
  }
  rmSync(pidFile, { force: true });
};

export const portAnswers = (port: number, host = '127.0.0.1'): Promise<boolean> =>
  new Promise((resolvePromise) => {
    const socket = connect({ port, host });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolvePromise(false);
    });
    socket.once('error', () => {
      resolvePromise(false);
    });
  });

export const waitForPort = async (
  port: number,
  opts: {
    readonly timeoutMs: number;
    readonly stillAlive: () => boolean;
    readonly what: string;
    readonly logFile: string;
  },
): Promise<void> => {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (await portAnswers(port)) return;
    if (!opts.stillAlive()) throw new Error(`${opts.what} exited during start-up; see ${opts.logFile}`);
    await sleep(100);
  }
  throw new Error(`${opts.what} did not answer on port ${port} within ${opts.timeoutMs} ms; see ${opts.logFile}`);
};
