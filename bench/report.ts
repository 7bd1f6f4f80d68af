import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MachineInfo } from './machine.js';
import type { ProfileSummary } from './profile-summary.js';
import type { LatencyRow, ThroughputRow } from './rows.js';

export interface Ratio {
  readonly name: string;
  readonly of: string;
  /** Which interval each side is measured over. */
  readonly basis: string;
  readonly value: number;
}

export interface BenchReport {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly args: Record<string, unknown>;
  readonly machine: MachineInfo;
  readonly standInCollectionSize: number | undefined;
  readonly plans: Record<string, unknown>;
  readonly rows: readonly ThroughputRow[];
  readonly latency: readonly LatencyRow[];
  readonly ratios: readonly Ratio[];
  readonly profileOfRowA?: ProfileSummary;
}

const fmt = (n: number | undefined, digits = 0): string =>
  n === undefined || Number.isNaN(n)
    ? '-'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const table = (header: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
};

const byId = (rows: readonly ThroughputRow[], id: string): ThroughputRow | undefined => rows.find((r) => r.id === id);

const fromJoinOf = (row: ThroughputRow): number | undefined => {
  const j = row.detail['fromGroupJoin'] as { perSecond?: number } | undefined;
  return j?.perSecond;
};

export const ratiosOf = (rows: readonly ThroughputRow[]): Ratio[] => {
  const out: Ratio[] = [];
  const add = (name: string, of: string, basis: string, top: number | undefined, bottom: number | undefined): void => {
    if (top !== undefined && bottom !== undefined) out.push({ name, of, basis, value: top / bottom });
  };
  const [a, c, d, e, f] = ['a', 'c', 'd', 'e', 'f'].map((id) => byId(rows, id));
  const committed = 'first consumed → last committed';
  const lastWrite = 'first consumed → last write';
  add('worker / naive baseline (stand-in)', 'e/f', committed, e?.perSecond, f?.perSecond);
  add('worker / naive baseline (stand-in)', 'e/f', lastWrite, e?.toLastWrite?.perSecond, f?.toLastWrite?.perSecond);
  add(
    'worker e2e / store limit (stand-in)',
    'e/d',
    `e: ${committed}; d: first → last write`,
    e?.perSecond,
    d?.perSecond,
  );
  add(
    'worker e2e / store limit (stand-in)',
    'e/d',
    `e: ${lastWrite}; d: first → last write`,
    e?.toLastWrite?.perSecond,
    d?.perSecond,
  );
  add(
    'worker pipeline in-process / transport',
    'a/c',
    'both from group join; a to last committed, c to last consumed',
    a === undefined ? undefined : fromJoinOf(a),
    c?.perSecond,
  );
  return out;
};

export const renderReport = (r: BenchReport): string => {
  const m = r.machine;
  const head = [
    `psp-stream bench ${r.startedAt} — commit ${m.commit}${m.srcTreeHash === 'clean' ? '' : ` + uncommitted src/ changes (hash ${m.srcTreeHash})`}`,
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; node ${m.node}, kafkajs ${m.kafkajs}, mongodb driver ${m.mongodbDriver}`,
    `stand-in collection: ${r.standInCollectionSize ?? '-'} documents; run took ${fmt(r.durationSeconds)} s`,
    ...(m.busyBeforeRun === undefined
      ? []
      : [
          `machine ${fmt(100 * m.busyBeforeRun)}% busy in the second before the run${m.busyBeforeRun > 0.25 ? ' — OTHER LOAD: figures disturbed' : ''}`,
        ]),
  ].join('\n');
  const throughput = table(
    [
      'row',
      'measurement',
      'events',
      'seconds',
      'events/s',
      'ev/s to last write',
      'round trips/event',
      'store docs',
      'oracle misses',
      'notes',
    ],
    r.rows.map((row) => [
      row.id,
      row.name,
      fmt(row.events),
      fmt(row.seconds, 2),
      fmt(row.perSecond),
      row.toLastWrite === undefined ? '-' : fmt(row.toLastWrite.perSecond),
      fmt(row.roundTripsPerEvent, 4),
      row.storeSize === undefined ? '-' : `${fmt(row.storeSize)} ${row.storeKind ?? ''}`,
      row.oracleMismatches === undefined ? '-' : fmt(row.oracleMismatches),
      row.notes.join('; '),
    ]),
  );
  const latency =
    r.latency.length === 0
      ? ''
      : `\n\nb. latency, in-process store (write resolved − sent = eventTime)\n${table(
          ['rate/s', 'events', 'produced/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'round trips/event'],
          r.latency.map((l) => [
            fmt(l.rate),
            fmt(l.events),
            fmt(l.producedPerSecond),
            fmt(l.p50Ms),
            fmt(l.p95Ms),
            fmt(l.p99Ms),
            fmt(l.maxMs),
            fmt(l.roundTripsPerEvent, 3),
          ]),
        )}`;
  const ratios =
    r.ratios.length === 0
      ? ''
      : `\n\ng. ratios\n${table(
          ['ratio', 'rows', 'value', 'measured over'],
          r.ratios.map((x) => [x.name, x.of, fmt(x.value, 2), x.basis]),
        )}`;
  return `${head}\n\n${throughput}${latency}${ratios}\n`;
};

/** bench/results/<ISO date, ':' as '-'>.json */
export const saveReport = (r: BenchReport): string => {
  const dir = resolve(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const path = resolve(dir, `${r.startedAt.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  writeFileSync(path, `${JSON.stringify(r, null, 2)}\n`);
  return path;
};
