import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Processed } from '../../src/streams/consumed-message.js';
import { processedLabel } from '../../src/telemetry/worker-observer.js';
import { createTopic } from '../load.js';
import { workerConfig, type BenchContext } from '../context.js';
import { initiatedDoc, oracleMismatches, type EventPlan } from '../events.js';
import { inMemoryOrderStore } from '../in-memory-order-store.js';
import { startInProcessWorker } from '../in-process-worker.js';
import {
  commitTracker,
  cpuMeter,
  cpuMicrosPerEvent,
  describeCpu,
  endOffsets,
  freshName,
  heapUsedMiB,
  round,
  rssSampler,
  runId,
  waitUntil,
} from '../measure.js';
import { startCpuProfile, summariseProfile, type ProfileSummary } from '../profile-summary.js';
import type { ThroughputRow } from '../rows.js';

export const outcomeOf = (p: Processed): string => processedLabel(p);

/**
 * Row a: the worker's own stages over the in-memory store, draining a backlog already in the topic.
 * Events/s from the first message handed to the pipeline to the commit that covers the topic's end.
 */
export const runPipeline = async (
  ctx: BenchContext,
  plan: EventPlan,
  topic: string,
): Promise<{ readonly row: ThroughputRow; readonly profile?: ProfileSummary }> => {
  const store = inMemoryOrderStore();
  const now = new Date();
  store.seed(plan.orders.map((o) => initiatedDoc(o.id, now)));
  const dlq = freshName('a-dlq');
  await createTopic(ctx.admin, dlq, 1);
  ctx.createdTopics.push(dlq);
  const config = workerConfig(ctx, {
    PSP_RESULT_TOPIC: topic,
    PSP_RESULT_DLQ_TOPIC: dlq,
    CONSUMER_GROUP: freshName('a'),
  });
  const ends = await endOffsets(ctx.admin, topic);
  const total = [...ends.values()].reduce((a, b) => a + b, 0);
  const tracker = commitTracker(ends);

  const outcomes = new Map<string, number>();
  let admitted = 0;
  let processed = 0;
  let maxInFlight = 0;
  let firstAt: number | undefined;
  let joinedAt: number | undefined;
  let lastProcessedAt: number | undefined;
  let cpu: ReturnType<typeof cpuMeter> | undefined;
  const heapBefore = heapUsedMiB();
  const rss = rssSampler();
  const profiler = ctx.args.profile ? await startCpuProfile() : undefined;
  const worker = await startInProcessWorker({
    kafka: ctx.kafka,
    config,
    store,
    logger: ctx.silent,
    onJoined: (t) => {
      joinedAt ??= t;
      // From the join, as in row c: the first fetch is decoded before the first message is handed over.
      cpu ??= cpuMeter();
    },
    onFirstMessage: (t) => {
      firstAt = t;
    },
    onMessage: () => {
      admitted++;
      maxInFlight = Math.max(maxInFlight, admitted - processed);
    },
    onProcessed: (p) => {
      const o = outcomeOf(p);
      outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
      if (++processed === total) lastProcessedAt = performance.now();
    },
    onCommitted: tracker.onCommitted,
  });
  await waitUntil('row a: every offset committed', () => tracker.reachedAt() !== undefined, 15 * 60_000);
  const cpuUse = cpu?.stop();
  const memory = rss.stop();
  const cpuProfile = await profiler?.stop();
  await worker.stop();

  const start = firstAt ?? Number.NaN;
  const seconds = ((tracker.reachedAt() ?? Number.NaN) - start) / 1000;
  const toWrite = ((lastProcessedAt ?? Number.NaN) - start) / 1000;
  const fromJoin = ((tracker.reachedAt() ?? Number.NaN) - (joinedAt ?? Number.NaN)) / 1000;
  const oracle = oracleMismatches(plan.orders, store.documents());
  // What the store's documents grew by (history entries): RSS that is the store's, not the worker's.
  const storeGrowthMiB = heapUsedMiB() - heapBefore;
  const calls = store.calls();
  let profileFile: string | undefined;
  if (cpuProfile !== undefined) {
    profileFile = join(tmpdir(), `psp-bench-${runId}-a.cpuprofile`);
    writeFileSync(profileFile, JSON.stringify(cpuProfile));
  }
  const row: ThroughputRow = {
    id: 'a',
    name: 'worker pipeline, in-process store',
    events: total,
    seconds,
    perSecond: total / seconds,
    toLastWrite: { seconds: toWrite, perSecond: total / toWrite },
    roundTripsPerEvent: store.roundTrips() / total,
    storeSize: store.documents().size,
    storeKind: 'in-memory',
    oracleMismatches: oracle.count,
    notes: [
      `peak RSS ${round(memory.peakMiB)} MiB (start ${round(memory.startMiB)}, store grew ${round(storeGrowthMiB)})`,
      `from group join ${round(total / fromJoin)}/s`,
      `round trips: ${calls.write} writes (${calls.singleWrites} of one statement), ${calls.find} finds`,
      `max in flight ${maxInFlight} msgs`,
      describeCpu(cpuUse),
      `${(cpuMicrosPerEvent(cpuUse, total) ?? Number.NaN).toFixed(1)} µs CPU/event`,
      ...(ctx.args.profile ? ['profiled (slower)'] : []),
    ],
    detail: {
      fromGroupJoin: { seconds: fromJoin, perSecond: total / fromJoin },
      processed,
      outcomes: Object.fromEntries(outcomes),
      storeCalls: calls,
      statementsPerWrite: calls.statements / Math.max(1, calls.write),
      peakRssMiB: memory.peakMiB,
      startRssMiB: memory.startMiB,
      storeHeapGrowthMiB: storeGrowthMiB,
      maxInFlightMessages: maxInFlight,
      cpu: cpuUse,
      cpuMicrosPerEvent: cpuMicrosPerEvent(cpuUse, total),
      oracleExamples: oracle.examples,
      profileFile,
      config: {
        MAX_BATCH_SIZE: config.MAX_BATCH_SIZE,
        MAX_IN_FLIGHT_PER_PARTITION: config.MAX_IN_FLIGHT_PER_PARTITION,
        COMMIT_INTERVAL_MS: config.COMMIT_INTERVAL_MS,
        COMMIT_EVERY: config.COMMIT_EVERY,
        MAX_ATTEMPTS: config.MAX_ATTEMPTS,
      },
    },
  };
  return cpuProfile === undefined ? { row } : { row, profile: summariseProfile(cpuProfile) };
};
