import type { PaymentOrderDocument } from '../state/index.js';
import { demoTargets, table, verdict, type DemoPhases } from './demo-summary.js';
import type { DemoConfig } from './demo-args.js';

/** What the summary is made of: the run's phases, its orders in the store and what the worker reported. */
export interface DemoOutcome {
  readonly config: DemoConfig;
  readonly steady: number;
  readonly burst: number;
  readonly phases: DemoPhases;
  readonly docs: readonly PaymentOrderDocument[];
  readonly collectionSize: number;
  readonly intake: { readonly created: number; readonly existing: number; readonly rejected: number };
  readonly outcomes: ReadonlyMap<string, number>;
  readonly runSeconds: number;
  readonly logs: string;
  readonly ok: boolean;
  readonly wrong: number;
}

/** The summary table: each phase against its target, outcomes, and whether every order is as the table says. */
export const demoReport = (run: DemoOutcome): string => {
  const { config, steady, burst, phases, docs, outcomes, runSeconds } = run;
  const fmt = (x: number): string => (Number.isNaN(x) ? '–' : Math.round(x).toLocaleString('en-US'));
  const s = phases.steady;
  const b = phases.burst;
  const t = phases.tail;
  const status = (st: string): string => String(docs.filter((d) => d.status === st).length);
  const ms = (x: number): string => `${fmt(x)} ms`;
  const rows: [string, string][] = [
    ['orders', `${fmt(steady)} steady + ${fmt(burst)} burst; ${fmt(run.collectionSize)} documents in the store`],
    [
      'intake',
      `${fmt(run.intake.created)} created, ${fmt(run.intake.existing)} existing, ${fmt(run.intake.rejected)} rejected`,
    ],
    ['steady: results', `${fmt(s.count)} in ${s.seconds.toFixed(1)} s = ${fmt(s.perSecond)}/s`],
    [
      'steady: consumed→written p50 / p99',
      `${fmt(s.consumed.p50)} / ${ms(s.consumed.p99)}  p99 < ${demoTargets.steadyP99Ms} ms: ${verdict(s.consumed.p99 < demoTargets.steadyP99Ms)}`,
    ],
    [
      'steady: eventTime→written p50 / p99',
      `${fmt(s.event.p50)} / ${ms(s.event.p99)}  p99 < ${demoTargets.steadyP99Ms} ms: ${verdict(s.event.p99 < demoTargets.steadyP99Ms)}; customer's < 1 s: ${verdict(s.event.p99 < demoTargets.customerP99Ms)}`,
    ],
    ...(b === undefined
      ? []
      : ([
          [
            'burst: drain',
            `${fmt(b.stats.count)} results in ${b.stats.seconds.toFixed(1)} s = ${fmt(b.stats.perSecond)}/s  ≥ ${fmt(demoTargets.burstPerSecond)}/s: ${verdict(b.answered === burst && b.stats.perSecond >= demoTargets.burstPerSecond)}`,
          ],
          [
            'burst: orders answered',
            `${fmt(b.answered)} of ${fmt(burst)}, from the first burst result to the last first answer`,
          ],
          [
            'burst: p99 consumed→ / eventTime→written',
            `${fmt(b.stats.consumed.p99)} / ${ms(b.stats.event.p99)} (a backlog: time queued counts)`,
          ],
        ] satisfies [string, string][])),
    ['retry tail', `${t.seconds.toFixed(1)} s, ${fmt(t.results)} results, until the last order was final`],
    [
      'retry tail: waited on',
      `${fmt(t.retries)} retries (backoff ${fmt(config.RETRY_BASE_MS)}–${fmt(config.RETRY_CAP_MS)} ms, full jitter), ${fmt(t.checks)} status checks (${fmt(config.CHECK_DELAY_MS)} ms delay): by design`,
    ],
    [
      'retry tail: longest wait / dispatch late p99',
      `${ms(t.longestWaitMs)} / ${ms(t.lateP99Ms)} (DISPATCH_INTERVAL_MS ${fmt(config.DISPATCH_INTERVAL_MS)})`,
    ],
    ...[...outcomes].sort().map(([k, v]): [string, string] => [`outcome ${k}`, fmt(v)]),
    ['dead-lettered', fmt(outcomes.get('dead_lettered') ?? 0)],
    ['SUCCESSFUL / DECLINED / FAILED', `${status('SUCCESSFUL')} / ${status('DECLINED')} / ${status('FAILED')}`],
    [
      'run',
      `${runSeconds.toFixed(1)} s in this process  ≤ ${demoTargets.runSeconds} s: ${verdict(runSeconds <= demoTargets.runSeconds)}`,
    ],
    ['logs', run.logs],
    ['every order final, as the table says', run.ok ? 'yes' : `NO (${run.wrong})`],
  ];
  return table(rows);
};
