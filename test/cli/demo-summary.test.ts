import { describe, expect, it } from 'vitest';
import {
  demoPhases,
  quantile,
  table,
  waitedCommands,
  windowStats,
  type ResultSample,
} from '../../src/cli/demo-summary.js';
import { liveView, plainLine, type DemoSnapshot } from '../../src/cli/demo-view.js';
import type { PaymentOrderId } from '../../src/codecs/index.js';
import type { PaymentOrderDocument } from '../../src/state/index.js';

const sample = (at: number, over: Partial<ResultSample> = {}): ResultSample => ({
  at,
  consumedMs: 10,
  eventMs: 20,
  order: 0,
  injected: false,
  final: false,
  ...over,
});

describe('windowStats', () => {
  it('counts every result in [from, to) and times only those the flow produced', () => {
    const samples = [
      sample(0, { consumedMs: 5, eventMs: 50 }),
      sample(500, { consumedMs: 7, eventMs: 70 }),
      // a straggler the demo sent itself: its event time is an hour old, on purpose
      sample(900, { consumedMs: 3, eventMs: 3_600_000, injected: true }),
      sample(1_000, { consumedMs: 999, eventMs: 999 }),
    ];
    const w = windowStats(samples, 0, 1_000);
    expect(w.count).toBe(3);
    expect(w.seconds).toBe(1);
    expect(w.perSecond).toBe(3);
    expect(w.consumed).toEqual({ p50: 5, p99: 7 });
    expect(w.event).toEqual({ p50: 50, p99: 70 });
  });

  it('has no latency (NaN) and no rate in an empty window', () => {
    const w = windowStats([], 0, 0);
    expect(w.count).toBe(0);
    expect(w.perSecond).toBe(0);
    expect(w.consumed.p99).toBeNaN();
  });

  it('p99 is the nearest rank', () => {
    const sorted = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(quantile(sorted, 0.99)).toBe(990);
    expect(quantile(sorted, 0.5)).toBe(500);
  });
});

const doc = (id: string, history: PaymentOrderDocument['history']): PaymentOrderDocument => ({
  _id: id as PaymentOrderId,
  status: 'SUCCESSFUL',
  attempts: 0,
  version: 0,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  history,
});

const result = (at: number) =>
  ({
    key: `r${at}`,
    kind: 'psp-result',
    outcome: 'applied',
    to: 'RETRY_PENDING',
    pspStatus: 'FAILED_TRANSIENT',
    eventTime: new Date(at),
    appliedAt: new Date(at),
    topic: 't',
    partition: 0,
    offset: '0',
  }) as const;

const dispatch = (command: string, dueAt: number, sentAt: number) =>
  ({
    key: `dispatch:${command}:${sentAt}`,
    kind: 'dispatch',
    outcome: 'applied',
    to: 'RETRY_PENDING',
    command,
    commandKey: `${command}:${sentAt}`,
    owner: 'd',
    dueAt: new Date(dueAt),
    appliedAt: new Date(sentAt),
  }) as const;

describe('waitedCommands', () => {
  it("splits each retry's and status check's wait into the designed delay and the dispatcher's lateness", () => {
    const commands = waitedCommands([
      doc('a', [
        dispatch('PaymentOrderCreated', 0, 0),
        result(100),
        dispatch('PaymentOrderRetryRequested', 400, 450),
        result(600),
        dispatch('PaymentOrderStatusCheckRequested', 1_600, 1_900),
      ]),
    ]);
    expect(commands).toEqual([
      { paymentOrderId: 'a', command: 'retry', sentAt: 450, waitedMs: 300, lateMs: 50 },
      { paymentOrderId: 'a', command: 'status-check', sentAt: 1_900, waitedMs: 1_000, lateMs: 300 },
    ]);
  });
});

describe('demoPhases', () => {
  // orders 0-1 steady, 2-4 burst; the burst begins at t=1000
  const timeline = { startedAt: 0, burstAt: 1_000, steadyOrders: 2, burstOrders: 3, endedAt: 10_000 };
  const samples: ResultSample[] = [
    sample(100, { order: 0, consumedMs: 8, eventMs: 30, final: true }),
    sample(600, { order: 1, consumedMs: 12, eventMs: 40 }),
    sample(1_200, { order: 2, final: true }),
    sample(1_300, { order: 2, injected: true }),
    sample(1_400, { order: 1, final: true }),
    sample(1_500, { order: 3 }),
    sample(1_600, { order: 4, final: true }),
    // the tail: order 3 answered again after its backoff
    sample(4_000, { order: 3, final: true }),
  ];
  const commands = [
    { paymentOrderId: 'x-3', command: 'retry' as const, sentAt: 3_500, waitedMs: 1_800, lateMs: 100 },
    { paymentOrderId: 'x-1', command: 'status-check' as const, sentAt: 1_300, waitedMs: 700, lateMs: 0 },
  ];
  const phases = demoPhases(samples, commands, timeline);

  it('times the steady phase up to the burst', () => {
    expect(phases.steady.count).toBe(2);
    expect(phases.steady.seconds).toBe(1);
    expect(phases.steady.consumed.p99).toBe(12);
    expect(phases.steady.event.p99).toBe(40);
  });

  it('drains the burst from its first result until every burst order had one, counting all the worker wrote meanwhile', () => {
    expect(phases.burst?.firstAt).toBe(1_200);
    expect(phases.burst?.answeredAt).toBe(1_600);
    expect(phases.burst?.answered).toBe(3);
    expect(phases.burst?.stats.count).toBe(5);
  });

  it('ends the retry tail at the last result that made an order final, with the commands it waited on', () => {
    expect(phases.tail).toEqual({
      fromAt: 1_600,
      lastFinalAt: 4_000,
      seconds: 2.4,
      results: 1,
      retries: 1,
      checks: 0,
      longestWaitMs: 1_800,
      lateP99Ms: 100,
    });
  });

  it('reports an unfinished burst as such', () => {
    const partial = demoPhases(samples.slice(0, 6), [], timeline);
    expect(partial.burst?.answered).toBe(2);
  });

  it('has no burst figures for a run without a burst', () => {
    const steadyOnly = demoPhases(samples.slice(0, 2), [], { ...timeline, burstAt: undefined, burstOrders: 0 });
    expect(steadyOnly.burst).toBeUndefined();
    expect(steadyOnly.steady.count).toBe(2);
  });
});

describe('the live view and the plain line', () => {
  const snapshot: DemoSnapshot = {
    elapsedSeconds: 12.3,
    phase: 'steady',
    created: 1_500,
    total: 14_500,
    final: 1_400,
    results: 1_700,
    recent: windowStats([sample(0, { consumedMs: 9, eventMs: 31 })], 0, 1_000),
    lag: 4,
    outcomes: new Map([
      ['duplicate', 150],
      ['applied', 1_550],
    ]),
  };

  it('shows rate, both latencies, lag and outcomes', () => {
    const view = liveView(snapshot, 'header');
    expect(view.split('\n')).toHaveLength(5);
    expect(view).toContain('1,500/14,500');
    expect(view).toMatch(/consumed→written p50 9 \/ p99 9 ms/);
    expect(view).toMatch(/eventTime→written p50 31 \/ p99 31 ms/);
    expect(view).toContain('lag 4');
    expect(view).toContain('applied 1,550 · duplicate 150');
  });

  it('prints one line, without escape codes, when piped', () => {
    const line = plainLine(snapshot);
    expect(line).not.toContain('\n');
    // eslint-disable-next-line no-control-regex
    expect(line).not.toMatch(/\u001b/);
    expect(line).toMatch(/^\[ {2}12 s\] steady · created 1500\/14500 · final 1400 · 1 results\/s/);
  });

  it('table pads every row to one width', () => {
    const lines = table([
      ['a', '1'],
      ['longer key', 'longer value'],
    ]).split('\n');
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});
