import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');

const versionOf = (pkg: string): string => {
  const manifest = JSON.parse(readFileSync(resolve(root, 'node_modules', pkg, 'package.json'), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? 'unknown';
};

const git = (...args: string[]): string => {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
};

/**
 * Names the exact src/ measured when it differs from the commit: a hash of `git diff HEAD -- src` and the
 * untracked src files; `clean` when src/ is the commit's.
 */
const srcTreeHash = (): string => {
  const hash = createHash('sha256').update(git('diff', 'HEAD', '--', 'src'));
  for (const file of git('ls-files', '--others', '--exclude-standard', 'src')
    .split('\n')
    .filter((f) => f !== '')) {
    hash.update(file);
    try {
      hash.update(readFileSync(resolve(root, file)));
    } catch {
      // deleted meanwhile
    }
  }
  const digest = hash.digest('hex');
  // sha256 of nothing: src/ is exactly the commit.
  return digest.startsWith('e3b0c44298fc') ? 'clean' : digest.slice(0, 12);
};

export interface MachineInfo {
  readonly commit: string;
  /** Uncommitted changes in the work tree when the run started: the figures are of that tree, not of `commit`. */
  readonly dirty: boolean;
  readonly srcTreeHash: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly kafkajs: string;
  readonly mongodbDriver: string;
  readonly rxjs: string;
  /** Share of all cores busy during the second before the run: other load disturbs every figure. */
  readonly busyBeforeRun?: number;
  readonly loadAverage?: readonly number[];
}

export const machineInfo = (): MachineInfo => ({
  commit: git('rev-parse', '--short', 'HEAD'),
  dirty: git('status', '--porcelain') !== '',
  srcTreeHash: srcTreeHash(),
  cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
  os: `${platform()} ${release()}`,
  node: process.version,
  kafkajs: versionOf('kafkajs'),
  mongodbDriver: versionOf('mongodb'),
  rxjs: versionOf('rxjs'),
});
