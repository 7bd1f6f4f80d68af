import type { PspResultUpdateEvent } from '../codecs/index.js';
import {
  applyPspResult,
  labelOfRecorded,
  outcomeLabel,
  recordedTagOf,
  type PaymentOrderDocument,
  type RetryPolicy,
} from '../state/index.js';

/** p-quantile of a sample (nearest rank). */
export const quantile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN);

/**
 * Replays the results an order recorded, in the order it recorded them, through the transition table:
 * the state the table says the order must be in. Returns why the stored order disagrees, if it does.
 */
export const disagreementWithTable = (doc: PaymentOrderDocument, policy: RetryPolicy): string | undefined => {
  const start: PaymentOrderDocument = {
    _id: doc._id,
    status: 'INITIATED',
    attempts: 0,
    version: 0,
    createdAt: doc.createdAt,
    updatedAt: doc.createdAt,
    history: [],
  };
  let model: PaymentOrderDocument | null = start;
  for (const entry of doc.history) {
    if (entry.kind !== 'psp-result') continue;
    const event: PspResultUpdateEvent = {
      paymentOrderId: doc._id,
      pspStatus: entry.pspStatus,
      eventTime: entry.eventTime,
      ...(entry.pspReference === undefined ? {} : { pspReference: entry.pspReference }),
    };
    const source = { topic: entry.topic, partition: entry.partition, offset: entry.offset };
    const next = applyPspResult(model, event, source, { maxAttempts: policy.maxAttempts }, entry.appliedAt);
    // The stored entry read through the one outcome vocabulary: whatever its spelling, it names an outcome.
    if (recordedTagOf(entry.outcome) !== next.outcome._tag) {
      return `${entry.pspStatus} recorded as ${labelOfRecorded(entry.outcome)}, table says ${outcomeLabel(next.outcome)}`;
    }
    model = next.doc;
  }
  if (model === null) return 'order vanished';
  if (model.status !== doc.status || model.attempts !== doc.attempts) {
    return `stored ${doc.status}/${doc.attempts} attempts, table says ${model.status}/${model.attempts}`;
  }
  return undefined;
};

export const table = (rows: readonly (readonly [string, string])[]): string => {
  const width = Math.max(...rows.map(([k]) => k.length));
  const valueWidth = Math.max(...rows.map(([, v]) => v.length));
  const line = `+${'-'.repeat(width + 2)}+${'-'.repeat(valueWidth + 2)}+`;
  return [line, ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v.padEnd(valueWidth)} |`), line].join('\n');
};

/** One result the worker wrote, as the demo saw it. */
export interface ResultSample {
  /** When the write resolved (ms since epoch). */
  readonly at: number;
  /** Consumed from Kafka → write resolved. */
  readonly consumedMs: number;
  /** The PSP's event time → write resolved; undefined when the record carried no readable event. */
  readonly eventMs: number | undefined;
  /** Index of the demo order it is for; undefined for anything else. */
  readonly order: number | undefined;
  /** A repeat or a late straggler the demo sent itself: processed like any result, kept out of latency. */
  readonly injected: boolean;
  /** It moved its order to a final status. */
  readonly final: boolean;
}

export interface WindowStats {
  readonly count: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly consumed: { readonly p50: number; readonly p99: number };
  readonly event: { readonly p50: number; readonly p99: number };
}

const sortedNumbers = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

/**
 * Results written in [fromMs, toMs): how many, how many a second, and p50/p99 of both latencies over the
 * results the flow produced (the demo's own repeats and stragglers are counted, never timed: a straggler's
 * event time is an hour old on purpose).
 */
export const windowStats = (samples: readonly ResultSample[], fromMs: number, toMs: number): WindowStats => {
  const inside = samples.filter((s) => s.at >= fromMs && s.at < toMs);
  const timed = inside.filter((s) => !s.injected);
  const consumed = sortedNumbers(timed.map((s) => s.consumedMs));
  const event = sortedNumbers(timed.flatMap((s) => (s.eventMs === undefined ? [] : [s.eventMs])));
  const seconds = Math.max(0, toMs - fromMs) / 1000;
  return {
    count: inside.length,
    seconds,
    perSecond: seconds > 0 ? inside.length / seconds : 0,
    consumed: { p50: quantile(consumed, 0.5), p99: quantile(consumed, 0.99) },
    event: { p50: quantile(event, 0.5), p99: quantile(event, 0.99) },
  };
};

/** A command the retry dispatcher sent, and how long it waited for it. */
export interface WaitedCommand {
  readonly paymentOrderId: string;
  readonly command: 'retry' | 'status-check';
  /** When it went out. */
  readonly sentAt: number;
  /** From the result that asked for it to when it was due: the backoff or check delay, by design. */
  readonly waitedMs: number;
  /** From when it was due to when the dispatcher sent it: the dispatcher's own delay. */
  readonly lateMs: number;
}

/** The retries and status checks each order's audit trail shows, with the wait before each. */
export const waitedCommands = (docs: readonly PaymentOrderDocument[]): readonly WaitedCommand[] =>
  docs.flatMap((doc) => {
    let lastResultAt: number | undefined;
    const out: WaitedCommand[] = [];
    for (const entry of doc.history) {
      if (entry.kind === 'psp-result') lastResultAt = entry.appliedAt.getTime();
      if (entry.kind !== 'dispatch') continue;
      const command =
        entry.command === 'PaymentOrderRetryRequested'
          ? 'retry'
          : entry.command === 'PaymentOrderStatusCheckRequested'
            ? 'status-check'
            : undefined;
      if (command === undefined) continue;
      const sentAt = entry.appliedAt.getTime();
      const dueAt = entry.dueAt.getTime();
      out.push({
        paymentOrderId: doc._id,
        command,
        sentAt,
        waitedMs: Math.max(0, dueAt - (lastResultAt ?? dueAt)),
        lateMs: Math.max(0, sentAt - dueAt),
      });
    }
    return out;
  });

export interface DemoTimeline {
  /** Intake began (the live view was already up). */
  readonly startedAt: number;
  /** The first burst order was created; undefined when the run had no burst. */
  readonly burstAt: number | undefined;
  /** Orders of the steady phase (indexes below it) and of the burst. */
  readonly steadyOrders: number;
  readonly burstOrders: number;
  /** Every order final (or the deadline). */
  readonly endedAt: number;
}

export interface DemoPhases {
  readonly steady: WindowStats;
  readonly burst:
    | {
        /** First result of a burst order → every burst order had its first result. */
        readonly firstAt: number;
        readonly answeredAt: number;
        /** Burst orders that had a result by `answeredAt` (all of them unless the run timed out). */
        readonly answered: number;
        readonly stats: WindowStats;
      }
    | undefined;
  readonly tail: {
    readonly fromAt: number;
    /** The last result that made an order final. */
    readonly lastFinalAt: number;
    readonly seconds: number;
    readonly results: number;
    readonly retries: number;
    readonly checks: number;
    /** Longest backoff or check delay a command in the tail was due after (by design). */
    readonly longestWaitMs: number;
    /** p99 of how late the dispatcher sent the tail's commands after they were due. */
    readonly lateP99Ms: number;
  };
}

/**
 * Splits a run into what the customer's targets speak of: the steady phase (intake at a fixed rate, before
 * the burst), the burst's drain (from the first result of a burst order until every burst order had one),
 * and the retry tail (from there until the last order was final: results that waited on a backoff or a
 * status-check delay by design).
 */
export const demoPhases = (
  samples: readonly ResultSample[],
  commands: readonly WaitedCommand[],
  timeline: DemoTimeline,
): DemoPhases => {
  const steadyEnd = timeline.burstAt ?? timeline.endedAt;
  const steady = windowStats(samples, timeline.startedAt, steadyEnd);
  const isBurstOrder = (s: ResultSample): boolean =>
    !s.injected && s.order !== undefined && s.order >= timeline.steadyOrders;
  const first = timeline.burstOrders > 0 ? samples.find(isBurstOrder) : undefined;
  let burst: DemoPhases['burst'];
  if (first !== undefined) {
    const seen = new Set<number>();
    let answeredAt = first.at;
    for (const s of samples) {
      if (!isBurstOrder(s) || s.order === undefined || seen.has(s.order)) continue;
      seen.add(s.order);
      answeredAt = s.at;
      if (seen.size === timeline.burstOrders) break;
    }
    burst = {
      firstAt: first.at,
      answeredAt,
      answered: seen.size,
      // the last answer is inside the window
      stats: windowStats(samples, first.at, answeredAt + 1),
    };
  }
  const fromAt = burst?.answeredAt ?? steadyEnd;
  const lastFinalAt = samples.reduce((m, s) => (s.final && s.at > m ? s.at : m), fromAt);
  const inTail = commands.filter((c) => c.sentAt > fromAt);
  return {
    steady,
    burst,
    tail: {
      fromAt,
      lastFinalAt,
      seconds: (lastFinalAt - fromAt) / 1000,
      results: samples.filter((s) => s.at > fromAt && s.at <= lastFinalAt).length,
      retries: inTail.filter((c) => c.command === 'retry').length,
      checks: inTail.filter((c) => c.command === 'status-check').length,
      longestWaitMs: inTail.reduce((m, c) => Math.max(m, c.waitedMs), 0),
      lateP99Ms: quantile(sortedNumbers(inTail.map((c) => c.lateMs)), 0.99),
    },
  };
};

export const demoTargets = {
  /** Steady-phase p99 on the embedded stack. */
  steadyP99Ms: 250,
  /** What the customer asks of p99. */
  customerP99Ms: 1_000,
  /** Burst drain, results a second, for a 10,000-order burst. */
  burstPerSecond: 3_000,
  /** The whole default run. */
  runSeconds: 120,
} as const;

/** "met" or "MISSED", for a summary line. */
export const verdict = (met: boolean): string => (met ? 'met' : 'MISSED');
