import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Issue 16, point 5: the CLI runs as compiled JavaScript after install. `npm ci` runs `prepare`, which is
 * `npm run build`; `bin` and `npm start` point at its output. Here the same build goes to a temporary
 * directory under node_modules/.cache (so it never races a `dist/` in use) and every subcommand's help runs from it with plain node.
 */
const repoRoot = resolve(import.meta.dirname, '../..');
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  readonly bin: Readonly<Record<string, string>>;
  readonly scripts: Readonly<Record<string, string>>;
};

describe('the compiled CLI', () => {
  let out: string;
  beforeAll(() => {
    // Inside the repository, so that the build resolves the installed packages as dist/ does.
    const cache = join(repoRoot, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    out = mkdtempSync(join(cache, 'psp-stream-build-'));
    const tsc = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'node_modules/typescript/bin/tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        out,
        '--tsBuildInfoFile',
        join(out, 'build.tsbuildinfo'),
      ],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
  }, 180_000);
  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  it('is built on install and is what bin and npm start run', () => {
    expect(packageJson.scripts['prepare']).toBe('npm run build');
    expect(packageJson.scripts['build']).toMatch(/^tsc -p tsconfig\.build\.json/);
    expect(packageJson.bin['psp-stream']).toBe('dist/cli/main.js');
    expect(packageJson.scripts['start']).toContain('node --import ./dist/telemetry/tracing.js dist/cli/main.js worker');
    expect(readFileSync(join(out, 'cli/main.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it.each([
    [['--help']],
    [['worker', '--help']],
    [['executor', '--help']],
    [['orders', '--help']],
    [['audit', '--help']],
    [['demo', '--help']],
    [['dlq', 'redrive', '--help']],
    [['stack', '--help']],
  ])('psp-stream %j answers from compiled JavaScript, tracing loaded', (args) => {
    const r = spawnSync(
      process.execPath,
      ['--import', join(out, 'telemetry/tracing.js'), join(out, 'cli/main.js'), ...args],
      { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage: psp-stream/);
  });
});
