import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

interface LockedPackage {
  readonly version?: string;
  readonly engines?: { readonly node?: unknown };
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
  readonly engines: { readonly node: string };
};
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  readonly packages: Record<string, LockedPackage>;
};

const declared = manifest.engines.node;
const nodeRanges: readonly { readonly path: string; readonly range: string }[] = Object.entries(lock.packages).flatMap(
  ([path, p]) => {
    const range = p.engines?.node;
    return path !== '' && typeof range === 'string' ? [{ path, range }] : [];
  },
);

/** The Node versions a dependency refuses, among those `engines` claims: the lowest and the one we ship. */
const refusing = (version: string): string[] =>
  nodeRanges.filter(({ range }) => !semver.satisfies(version, range)).map(({ path, range }) => `${path} ${range}`);

describe('the Node versions psp-stream declares', () => {
  it('claims no version lower than some dependency needs: the lowest one it declares runs them all', () => {
    const lowest = semver.minVersion(declared)?.version ?? 'none';
    expect(refusing(lowest)).toEqual([]);
  });

  it('ships (as the `node` dev dependency every npm script runs on) a Node that it declares and all accept', () => {
    const shipped = lock.packages['node_modules/node']?.version ?? 'absent';
    expect(semver.satisfies(shipped, declared), `node ${shipped} against engines ${declared}`).toBe(true);
    expect(refusing(shipped)).toEqual([]);
  });

  it('builds the Docker image on a Node line it declares', () => {
    const tags = [...readFileSync('Dockerfile', 'utf8').matchAll(/^FROM node:(\d+\.\d+)/gm)].map(([, v = '']) => v);
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) expect(semver.satisfies(`${tag}.0`, declared), `node:${tag}`).toBe(true);
  });
});
