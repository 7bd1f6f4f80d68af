import { headerValue } from '../../src/codecs/index.js';
import type { Processed } from '../../src/streams/consumed-message.js';
import { messageOf } from '../../src/streams/psp-result-update-consumer.js';
import { workerConfig, type BenchContext } from '../context.js';
import { initiatedDoc, planEvents } from '../events.js';
import { inMemoryOrderStore } from '../in-memory-order-store.js';
import { startInProcessWorker } from '../in-process-worker.js';
import { createTopic, phaseHeader, produceAtRate, sentAtHeader } from '../load.js';
import { freshName, percentile, runId, waitUntil } from '../measure.js';
import type { LatencyRow } from '../rows.js';

/**
 * Row b: the in-process worker runs while events are produced at a fixed rate; each event's eventTime is
 * the moment it is sent. Latency = the time its write resolved − the time it was sent (for a duplicate
 * copy, the time that copy was sent; for every first copy that is its eventTime).
 */
export const runLatency = async (
  ctx: BenchContext,
  rates: readonly number[],
  seconds: number,
): Promise<readonly LatencyRow[]> => {
  const topic = freshName('b-results');
  const dlq = freshName('b-dlq');
  await createTopic(ctx.admin, topic);
  await createTopic(ctx.admin, dlq, 1);
  ctx.createdTopics.push(topic, dlq);

  const plans = rates.map((rate, i) =>
    planEvents({ events: rate * seconds, prefix: `b${rate}-${runId}`, seed: ctx.args.seed + 100 + i }),
  );
  const store = inMemoryOrderStore();
  const now = new Date();
  for (const plan of plans) store.seed(plan.orders.map((o) => initiatedDoc(o.id, now)));

  const latencies = new Map<string, number[]>();
  const onProcessed = (p: Processed, at: number): void => {
    const headers = messageOf(p).headers;
    const phase = headerValue(headers, phaseHeader) ?? '?';
    const sentAt = Number(headerValue(headers, sentAtHeader));
    let list = latencies.get(phase);
    if (list === undefined) latencies.set(phase, (list = []));
    list.push(at - sentAt);
  };
  const worker = await startInProcessWorker({
    kafka: ctx.kafka,
    config: workerConfig(ctx, { PSP_RESULT_TOPIC: topic, PSP_RESULT_DLQ_TOPIC: dlq, CONSUMER_GROUP: freshName('b') }),
    store,
    logger: ctx.silent,
    onProcessed,
  });
  try {
    await waitUntil('row b: the worker joined its group', () => worker.source.joined(), 60_000);
    const rows: LatencyRow[] = [];
    for (const [i, rate] of rates.entries()) {
      const plan = plans[i];
      if (plan === undefined) continue;
      const phase = `rate-${rate}`;
      const tripsBefore = store.roundTrips();
      const produced = await produceAtRate(ctx.producer, topic, plan.events, rate, phase);
      await waitUntil(
        `row b: ${plan.events.length} events at ${rate}/s processed`,
        () => (latencies.get(phase)?.length ?? 0) >= plan.events.length,
        60_000,
      );
      const sorted = [...(latencies.get(phase) ?? [])].sort((a, b) => a - b);
      rows.push({
        rate,
        events: sorted.length,
        producedPerSecond: produced.perSecond,
        p50Ms: percentile(sorted, 50),
        p95Ms: percentile(sorted, 95),
        p99Ms: percentile(sorted, 99),
        maxMs: sorted[sorted.length - 1] ?? Number.NaN,
        roundTripsPerEvent: (store.roundTrips() - tripsBefore) / sorted.length,
      });
    }
    return rows;
  } finally {
    await worker.stop();
  }
};
