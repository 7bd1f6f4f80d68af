import type { WindowStats } from './demo-summary.js';

/** What the demo shows each second. */
export interface DemoSnapshot {
  readonly elapsedSeconds: number;
  readonly phase: 'starting' | 'steady' | 'burst' | 'retry tail' | 'done';
  readonly created: number;
  readonly total: number;
  readonly final: number;
  readonly results: number;
  /** Results since the last line. */
  readonly recent: WindowStats;
  /** Committed lag of the worker's group on the result topic; undefined until first read. */
  readonly lag: number | undefined;
  readonly outcomes: ReadonlyMap<string, number>;
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const ms = (x: number): string => (Number.isNaN(x) ? '–' : n(x));

const outcomeList = (outcomes: ReadonlyMap<string, number>): string =>
  [...outcomes]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${n(v)}`)
    .join(' · ') || '–';

const bar = (done: number, total: number, width: number): string => {
  const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
};

/** The live view drawn in a terminal, redrawn in place every second. */
export const liveView = (s: DemoSnapshot, header: string): string =>
  [
    header,
    `${s.phase.padEnd(10)} ${s.elapsedSeconds.toFixed(0).padStart(4)} s   created ${bar(s.created, s.total, 20)} ${n(s.created)}/${n(s.total)}   final ${bar(s.final, s.total, 20)} ${n(s.final)}`,
    `results    ${n(s.recent.perSecond).padStart(6)}/s   total ${n(s.results)}   lag ${s.lag === undefined ? '–' : n(s.lag)}`,
    `latency    consumed→written p50 ${ms(s.recent.consumed.p50)} / p99 ${ms(s.recent.consumed.p99)} ms   eventTime→written p50 ${ms(s.recent.event.p50)} / p99 ${ms(s.recent.event.p99)} ms`,
    `outcomes   ${outcomeList(s.outcomes)}`,
  ].join('\n');

/** One plain line, for a log file or a pipe. */
export const plainLine = (s: DemoSnapshot): string =>
  [
    `[${s.elapsedSeconds.toFixed(0).padStart(4)} s] ${s.phase}`,
    `created ${s.created}/${s.total}`,
    `final ${s.final}`,
    `${s.recent.perSecond.toFixed(0)} results/s`,
    `consumed→written p50/p99 ${ms(s.recent.consumed.p50)}/${ms(s.recent.consumed.p99)} ms`,
    `eventTime→written p50/p99 ${ms(s.recent.event.p50)}/${ms(s.recent.event.p99)} ms`,
    `lag ${s.lag ?? '–'}`,
    outcomeList(s.outcomes),
  ].join(' · ');
