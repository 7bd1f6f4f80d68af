import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs the CLI as a user does; none of these calls reaches a server. */
const cli = (args: readonly string[], env: Record<string, string> = {}) => {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !['KAFKA_BROKERS', 'MONGO_URL'].includes(k)),
  ) as Record<string, string>;
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...clean, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('the psp-stream command line', () => {
  it('lists its commands', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const command of [
      'worker',
      'executor',
      'orders create',
      'demo',
      'audit',
      'dlq redrive',
      'stack up|down|status',
    ]) {
      expect(r.out).toContain(command);
    }
  });

  it.each([
    ['worker', 'usage: psp-stream worker'],
    ['executor', 'usage: psp-stream executor'],
    ['orders', 'usage: psp-stream orders create'],
    ['demo', 'usage: psp-stream demo'],
    ['audit', 'usage: psp-stream audit'],
    ['dlq', 'usage: psp-stream dlq redrive'],
    ['stack', 'usage: psp-stream stack'],
  ])('prints the usage of %s with --help and exits 0', (command, usage) => {
    const r = cli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(usage);
  });

  it('refuses an unknown command with exit code 2', () => {
    const r = cli(['launch-rockets']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command "launch-rockets"');
  });

  it('names every invalid variable on a line of its own and exits 2 before connecting anywhere', () => {
    const r = cli(['worker'], {
      KAFKA_BROKERS: 'localhost',
      MONGO_URL: 'http://db.example',
      MAX_BATCH_SIZE: '0',
      COMMIT_INTERVAL_MS: 'soon',
      LOG_LEVEL: 'loud',
    });
    expect(r.code).toBe(2);
    const lines = r.err.split('\n').filter((l) => l.startsWith('config: '));
    expect(lines).toEqual([
      'config: KAFKA_BROKERS="localhost" is invalid: expected comma-separated host:port list',
      'config: MONGO_URL=(value hidden) is invalid: expected mongodb:// or mongodb+srv:// URL',
      'config: MAX_BATCH_SIZE="0" is invalid: expected integer in [1, 10000]',
      'config: COMMIT_INTERVAL_MS="soon" is invalid: expected integer in [10, 60000]',
      'config: LOG_LEVEL="loud" is invalid: expected "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent"',
    ]);
  });

  it('says which required variable is missing', () => {
    const r = cli(['executor']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('config: KAFKA_BROKERS is required');
    expect(r.err).toContain('config: MONGO_URL is required');
  });

  it('never echoes the value of a secret variable', () => {
    const r = cli(['worker'], { KAFKA_BROKERS: '127.0.0.1:1', MONGO_URL: 'mysql://root:hunter2@db' });
    expect(r.code).toBe(2);
    expect(r.err).not.toContain('hunter2');
  });
});
