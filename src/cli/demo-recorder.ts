import { headerValue, type PspResultUpdateEvent } from '../codecs/index.js';
import { isTerminal, type OrderStatus } from '../state/index.js';
import { processedLabel } from '../telemetry/worker-observer.js';
import { seededRandom } from '../publisher/psp/index.js';
import { orderIndexOf } from './demo-schedule.js';
import type { ResultSample } from './demo-summary.js';
import type { runWorker } from './run-worker.js';

/** The header that marks a result the demo sent itself (a repeat or a straggler): counted, never timed. */
export const injectedHeader = 'psp-stream-demo';

type Processed = Parameters<NonNullable<Parameters<typeof runWorker>[2]>>[0];

/** What the demo keeps of one processed result: plain data, made where the worker runs and posted from there. */
export interface SeenResult {
  /** When the worker was done with it (epoch ms). */
  readonly at: number;
  readonly consumedMs: number;
  readonly label: string;
  /** The demo sent it itself (a repeat or a straggler). */
  readonly injected: boolean;
  readonly event: PspResultUpdateEvent | undefined;
  /** It moved its order to this status (undefined: it moved nothing). */
  readonly appliedTo: OrderStatus | undefined;
}

export const seenResultOf = (p: Processed, latencyMs: number): SeenResult => {
  const message = p._tag === 'Applied' ? p.message : p.letter.message;
  return {
    at: Date.now(),
    consumedMs: latencyMs,
    label: processedLabel(p),
    injected: headerValue(message.headers, injectedHeader) !== undefined,
    event: p.event,
    appliedTo: p._tag === 'Applied' && p.outcome._tag === 'Applied' ? p.outcome.to : undefined,
  };
};

/**
 * What the worker wrote, as it wrote it: a sample per result, outcomes, final and first-answered orders,
 * and the repeats and stragglers to send (real platforms see them: ~10% of results again, and a late
 * PENDING after ~3% of final ones).
 */
export const demoRecorder = (prefix: string, steady: number, seed: number) => {
  const samples: ResultSample[] = [];
  const outcomes = new Map<string, number>();
  const finalOrders = new Set<number>();
  const firstAnswered = new Set<number>();
  let burstAnswered = 0;
  const random = seededRandom(seed);
  const chance = (p: number): boolean => random() < p;
  const extra: PspResultUpdateEvent[] = [];
  const onSeen = (seen: SeenResult): void => {
    const { at, event, injected, appliedTo } = seen;
    outcomes.set(seen.label, (outcomes.get(seen.label) ?? 0) + 1);
    const order = event === undefined ? undefined : orderIndexOf(prefix, event.paymentOrderId);
    const final = appliedTo !== undefined && isTerminal(appliedTo);
    samples.push({
      at,
      consumedMs: seen.consumedMs,
      eventMs: event === undefined ? undefined : Math.max(0, at - event.eventTime.getTime()),
      order,
      injected,
      final,
    });
    if (order === undefined) return;
    if (!injected && !firstAnswered.has(order)) {
      firstAnswered.add(order);
      if (order >= steady) burstAnswered += 1;
    }
    if (final) finalOrders.add(order);
    if (event === undefined || appliedTo === undefined || injected) return;
    if (chance(0.1)) extra.push(event);
    if (final && chance(0.03)) {
      extra.push({ ...event, pspStatus: 'PENDING', eventTime: new Date(event.eventTime.getTime() - 3_600_000) });
    }
  };

  return {
    onSeen,
    samples,
    outcomes,
    finalOrders,
    burstAnswered: (): number => burstAnswered,
    /** The repeats and stragglers recorded since the last call. */
    takeExtra: (): PspResultUpdateEvent[] => extra.splice(0),
    hasExtra: (): boolean => extra.length > 0,
  };
};
