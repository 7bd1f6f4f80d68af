import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Copies a pom's dependencies into `libDir` once; a marker written after success makes later calls free,
 * and a half-finished copy (no marker) is redone.
 */
export const resolveJars = (pom: string, libDir: string, mavenRepo: string): void => {
  const marker = resolve(libDir, '.resolved');
  if (existsSync(marker)) return;
  mkdirSync(libDir, { recursive: true });
  execFileSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      pom,
      `-Dmaven.repo.local=${mavenRepo}`,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${libDir}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (readdirSync(libDir).filter((f) => f.endsWith('.jar')).length === 0) {
    throw new Error(`maven resolved no jars from ${pom}`);
  }
  writeFileSync(marker, new Date().toISOString());
};
