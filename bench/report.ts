import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MachineInfo } from './machine.js';
import type { ProfileSummary } from './profile-summary.js';
import type { LatencyRow, StandInInfo, ThroughputRow } from './rows.js';

export interface Ratio {
  readonly name: string;
  readonly of: string;
  /** Which interval each side is measured over. */
  readonly basis: string;
  readonly value: number;
  /** For stand-in rows: the stand-in both sides ran on and its collection size (orders). */
  readonly standIn?: StandInInfo['kind'];
  readonly orders?: number;
}

/** One event set the stand-in rows drained: which stand-in, how many orders and events, which topic. */
export interface StandInSet {
  readonly standIn: StandInInfo;
  readonly orders: number;
  readonly events: number;
  readonly topic: string;
  readonly rows: readonly string[];
}

export interface BenchReport {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly args: Record<string, unknown>;
  readonly machine: MachineInfo;
  /** Every stand-in set, in the order run; each stand-in row names its own in `standIn` and `storeSize`. */
  readonly standIns: readonly StandInSet[];
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

/** Rows of one stand-in set: the same stand-in and collection size. */
const setKey = (row: ThroughputRow): string | undefined =>
  row.storeKind === 'stand-in' ? `${row.standIn?.kind ?? 'unknown'} ${row.storeSize ?? '?'}` : undefined;

export const ratiosOf = (rows: readonly ThroughputRow[]): Ratio[] => {
  const out: Ratio[] = [];
  const committed = 'first consumed → last committed';
  const lastWrite = 'first consumed → last write';
  const sets = new Map<string, ThroughputRow[]>();
  for (const row of rows) {
    const key = setKey(row);
    if (key !== undefined) sets.set(key, [...(sets.get(key) ?? []), row]);
  }
  for (const set of sets.values()) {
    const [d, e, n, f] = ['d', 'e', 'n', 'f'].map((id) => byId(set, id));
    const where = { standIn: set[0]?.standIn?.kind ?? 'unknown', orders: set[0]?.storeSize };
    const add = (name: string, of: string, basis: string, top?: number, bottom?: number): void => {
      if (top !== undefined && bottom !== undefined) out.push({ name, of, basis, value: top / bottom, ...where });
    };
    add('worker e2e / concurrent naive', 'e/n', committed, e?.perSecond, n?.perSecond);
    add('worker e2e / concurrent naive', 'e/n', lastWrite, e?.toLastWrite?.perSecond, n?.toLastWrite?.perSecond);
    add('store limit / concurrent naive', 'd/n', `d: first → last write; n: ${committed}`, d?.perSecond, n?.perSecond);
    add('serial naive / concurrent naive', 'f/n', committed, f?.perSecond, n?.perSecond);
    add('worker e2e / store limit', 'e/d', `e: ${committed}; d: first → last write`, e?.perSecond, d?.perSecond);
    add(
      'worker e2e / store limit',
      'e/d',
      `e: ${lastWrite}; d: first → last write`,
      e?.toLastWrite?.perSecond,
      d?.perSecond,
    );
  }
  const [a, c] = ['a', 'c'].map((id) => byId(rows, id));
  if (a !== undefined && c !== undefined) {
    const top = fromJoinOf(a);
    if (top !== undefined)
      out.push({
        name: 'worker pipeline in-process / transport',
        of: 'a/c',
        basis: 'both from group join; a to last committed, c to last consumed',
        value: top / c.perSecond,
      });
    // Wall-clock rates of two short intervals swing with whatever else runs on a shared machine; CPU per
    // event swings far less, so the same ratio is also given as c's CPU per event over a's.
    const cpuOf = (row: ThroughputRow): number | undefined => row.detail['cpuMicrosPerEvent'] as number | undefined;
    const [cpuA, cpuC] = [cpuOf(a), cpuOf(c)];
    if (cpuA !== undefined && cpuC !== undefined)
      out.push({
        name: 'worker pipeline in-process / transport, by CPU',
        of: 'a/c',
        basis:
          "c's bench-process CPU per event over a's (both from group join; a to last committed, c to last consumed)",
        value: cpuC / cpuA,
      });
  }
  return out;
};

const describeSets = (sets: readonly StandInSet[]): string[] => {
  const byUrl = new Map<string, StandInSet[]>();
  for (const s of sets) byUrl.set(s.standIn.url, [...(byUrl.get(s.standIn.url) ?? []), s]);
  return [...byUrl.values()].map((group) => {
    const info = (group[0] as StandInSet).standIn;
    const origin = info.origin === 'bench' ? 'started by the bench' : "the stack's";
    const sizes = group.map((s) => `${fmt(s.orders)} orders / ${fmt(s.events)} events (rows ${s.rows.join('')})`);
    return `${info.kind} stand-in, ${origin}, ${info.url}: ${sizes.join('; ')}`;
  });
};

export const renderReport = (r: BenchReport): string => {
  const m = r.machine;
  const head = [
    `psp-stream bench ${r.startedAt} — commit ${m.commit}${m.srcTreeHash === 'clean' ? '' : ` + uncommitted src/ changes (hash ${m.srcTreeHash})`}`,
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB; node ${m.node}, kafkajs ${m.kafkajs}, mongodb driver ${m.mongodbDriver}`,
    ...describeSets(r.standIns),
    `run took ${fmt(r.durationSeconds)} s`,
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
      row.storeSize === undefined ? '-' : `${fmt(row.storeSize)} ${row.standIn?.kind ?? row.storeKind ?? ''}`,
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
          ['ratio', 'rows', 'stand-in', 'value', 'measured over'],
          r.ratios.map((x) => [
            x.name,
            x.of,
            x.standIn === undefined ? '-' : `${x.standIn} ${fmt(x.orders)}`,
            fmt(x.value, 2),
            x.basis,
          ]),
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
