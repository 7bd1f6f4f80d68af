import { readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { findSourceMap, type SourceMapping } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * CPU profiles of a bench window: taken in-process through the inspector, summarised as self time by
 * area (package, folder of ours, GC, idle) and by source line. Positions are mapped back to the .ts
 * sources through tsx's source maps, which only the profiled process holds: summarise in that process.
 */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
      readonly columnNumber: number;
    };
  }[];
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface ProfileSummary {
  readonly wallSeconds: number;
  /** [area, share of samples in %] */
  readonly byArea: readonly (readonly [string, number])[];
  /** [file:line  source text, share in %] */
  readonly byLine: readonly (readonly [string, number])[];
}

export const startCpuProfile = async (): Promise<{ readonly stop: () => Promise<CpuProfile> }> => {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1_000 });
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return profile;
    },
  };
};

const areaOf = (url: string, name: string): string => {
  if (url === '') return `(${name || 'native'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg?.[1] !== undefined) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  const ours = /\/(src\/[^/]+|bench|test)\//.exec(url);
  return ours?.[1] ?? url;
};

const sourceLines = new Map<string, readonly string[]>();
const lineText = (url: string, line: number): string => {
  let lines = sourceLines.get(url);
  if (lines === undefined) {
    try {
      lines = readFileSync(url.startsWith('file:') ? fileURLToPath(url) : url, 'utf8').split('\n');
    } catch {
      lines = [];
    }
    sourceLines.set(url, lines);
  }
  return (lines[line] ?? '').trim().slice(0, 70);
};

/** A frame's original position: through the source map when the module has one (tsx), else as it is. */
const placeOf = (url: string, line: number, column: number): string => {
  const entry = url.startsWith('file:') ? findSourceMap(url)?.findEntry(line, column) : undefined;
  const mapped = entry !== undefined && 'originalSource' in entry ? (entry as SourceMapping) : undefined;
  const source = mapped?.originalSource ?? url;
  const at = mapped?.originalLine ?? line;
  const short = source.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/');
  const text = source.startsWith('file:') && !source.includes('node_modules') ? `  ${lineText(source, at)}` : '';
  return `${short}:${at + 1}${text}`;
};

export const summariseProfile = (profile: CpuProfile, top = 20): ProfileSummary => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  (profile.samples ?? []).forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const byArea = new Map<string, number>();
  const byLine = new Map<string, number>();
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    const area = areaOf(frame.url, frame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const key =
      frame.url === ''
        ? `(${frame.functionName || 'native'})`
        : `${frame.functionName || '(anonymous)'} ${placeOf(frame.url, frame.lineNumber, frame.columnNumber)}`;
    byLine.set(key, (byLine.get(key) ?? 0) + us);
  }
  const ranked = (m: Map<string, number>): (readonly [string, number])[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => [k, Number(((100 * us) / total).toFixed(1))] as const);
  return {
    wallSeconds: (profile.endTime - profile.startTime) / 1e6,
    byArea: ranked(byArea),
    byLine: ranked(byLine),
  };
};

export const renderProfile = (s: ProfileSummary): string =>
  [
    `CPU profile of row a (${s.wallSeconds.toFixed(1)} s): self time by area`,
    ...s.byArea.map(([k, p]) => `${p.toFixed(1).padStart(6)}%  ${k}`),
    '',
    'self time by source line',
    ...s.byLine.map(([k, p]) => `${p.toFixed(1).padStart(6)}%  ${k}`),
  ].join('\n');
