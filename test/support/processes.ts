import { spawn, type ChildProcess } from 'node:child_process';

/** A psp-stream command run as its own process, as in production: it can be killed and started again. */
export interface PspStreamProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly output: () => string;
}

export const startPspStream = (args: readonly string[], env: Record<string, string>): PspStreamProcess => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  return { child, exited, output: () => output };
};

export const killHard = async (p: PspStreamProcess): Promise<void> => {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGKILL');
  await p.exited;
};

export const stopGently = async (p: PspStreamProcess): Promise<number | null> => {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.child.exitCode;
  p.child.kill('SIGTERM');
  return p.exited;
};
