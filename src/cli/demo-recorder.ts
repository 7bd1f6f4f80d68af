import { headerValue, type PspResultUpdateEvent } from '../codecs/index.js';
import { isTerminal } from '../state/index.js';
import { processedLabel } from '../telemetry/worker-observer.js';
import { seededRandom } from '../publisher/psp/index.js';
import { orderIndexOf } from './demo-schedule.js';
import type { ResultSample } from './demo-summary.js';
import type { runWorker } from './run-worker.js';

/** The header that marks a result the demo sent itself (a repeat or a straggler): counted, never timed. */
export const injectedHeader = 'psp-stream-demo';

type Processed = Parameters<NonNullable<Parameters<typeof runWorker>[2]>>[0];

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
  const onProcessed = (p: Processed, latencyMs: number): void => {
    const at = Date.now();
    const label = processedLabel(p);
    outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
    const message = p._tag === 'Applied' ? p.message : p.letter.message;
    const injected = headerValue(message.headers, injectedHeader) !== undefined;
    const event = p.event;
    const order = event === undefined ? undefined : orderIndexOf(prefix, event.paymentOrderId);
    const final = p._tag === 'Applied' && p.outcome._tag === 'Applied' && isTerminal(p.outcome.to);
    samples.push({
      at,
      consumedMs: latencyMs,
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
    if (p._tag !== 'Applied' || p.outcome._tag !== 'Applied' || injected) return;
    if (chance(0.1)) extra.push(p.event);
    if (isTerminal(p.outcome.to) && chance(0.03)) {
      extra.push({ ...p.event, pspStatus: 'PENDING', eventTime: new Date(p.event.eventTime.getTime() - 3_600_000) });
    }
  };

  return {
    onProcessed,
    samples,
    outcomes,
    finalOrders,
    burstAnswered: (): number => burstAnswered,
    /** The repeats and stragglers recorded since the last call. */
    takeExtra: (): PspResultUpdateEvent[] => extra.splice(0),
    hasExtra: (): boolean => extra.length > 0,
  };
};
