import * as E from 'fp-ts/lib/Either.js';
import type { Db } from 'mongodb';
import {
  outcomeLabel,
  paymentOrderStore,
  paymentOrdersCollection,
  processPaymentService,
  type PaymentOrderDocument,
  type ProcessPaymentService,
  type PspResult,
  type RetryPolicy,
} from '../../src/state/index.js';
import {
  collectionSize,
  freshOrdersDb,
  storedStates,
  workerConfig,
  workerPolicy,
  type BenchContext,
} from '../context.js';
import { oracleMismatches, partitionOf, planEvents, type EventPlan } from '../events.js';
import { benchPartitions } from '../load.js';
import { commandsOf, roundTripsOf } from '../mongo-commands.js';
import { cpuMeter, cpuMicrosPerEvent, describeCpu, freshDbName, runId } from '../measure.js';
import type { ThroughputRow } from '../rows.js';

const lanesOf = (plan: EventPlan, topic: string): PspResult[][] => {
  const lanes = Array.from({ length: benchPartitions }, (): PspResult[] => []);
  for (const event of plan.events) {
    const partition = partitionOf(event.paymentOrderId, benchPartitions);
    const lane = lanes[partition] as PspResult[];
    const offset = lane.length;
    lane.push({
      event,
      source: { topic, partition, offset: String(offset), traceId: (offset + 1).toString(16).padStart(32, '0') },
    });
  }
  return lanes;
};

/** Runs every lane at once, each in order in batches of `batchSize`, as the worker's lanes do under backlog. */
const runLanes = async (
  service: ProcessPaymentService,
  lanes: readonly (readonly PspResult[])[],
  batchSize: number,
  onOutcome: (label: string) => void,
): Promise<void> => {
  await Promise.all(
    lanes.map(async (lane) => {
      for (let i = 0; i < lane.length; i += batchSize) {
        const result = await service.processPspResults(lane.slice(i, i + batchSize))();
        if (E.isLeft(result)) throw new Error(`store failed: ${result.left.code} ${result.left.message}`);
        for (const o of result.right) onOutcome(outcomeLabel(o));
      }
    }),
  );
};

const serviceOver = (db: Db, policy: RetryPolicy): ProcessPaymentService =>
  processPaymentService({
    store: paymentOrderStore(db.collection<PaymentOrderDocument>(paymentOrdersCollection)),
    policy,
    now: () => new Date(),
  });

/**
 * The stand-in is a JVM: its first few thousand updates run slower while its JIT warms up. A throwaway run of
 * the same updates on a throwaway database, before any stand-in row, keeps that out of whichever row runs first.
 */
export const warmUpStandIn = async (ctx: BenchContext, topic: string): Promise<void> => {
  const plan = planEvents({ orders: 300, prefix: `w-${runId}`, seed: ctx.args.seed + 7 });
  const db = await freshOrdersDb(ctx, freshDbName('warm-up'), plan.orders);
  await runLanes(serviceOver(db, workerPolicy(workerConfig(ctx, {}))), lanesOf(plan, topic), 50, () => undefined);
  await db.dropDatabase();
};

/**
 * Row d: the same conditional updates without Kafka: `processPaymentService.processPspResults` over the
 * real MongoDB store, 12 lanes (the partitions the producer's partitioner gives each key) running at once,
 * each taking its results in order in batches of MAX_BATCH_SIZE — the worker's shape under backlog.
 */
export const runStoreLimit = async (ctx: BenchContext, plan: EventPlan, topic: string): Promise<ThroughputRow> => {
  const dbName = freshDbName('d');
  const db = await freshOrdersDb(ctx, dbName, plan.orders);
  const size = await collectionSize(db);
  const config = workerConfig(ctx, {});
  const service = serviceOver(db, workerPolicy(config));
  const lanes = lanesOf(plan, topic);
  const outcomes = new Map<string, number>();
  const cpu = cpuMeter();
  const t0 = performance.now();
  await runLanes(service, lanes, config.MAX_BATCH_SIZE, (label) => {
    outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpuUse = cpu.stop();
  const trips = roundTripsOf(dbName);
  const byCommand = Object.fromEntries(commandsOf(dbName).byName);
  const oracle = oracleMismatches(plan.orders, await storedStates(db));
  const total = plan.events.length;
  return {
    id: 'd',
    name: 'store limit, stand-in (processPspResults, no Kafka)',
    events: total,
    seconds,
    perSecond: total / seconds,
    roundTripsPerEvent: trips / total,
    storeSize: size,
    storeKind: 'stand-in',
    oracleMismatches: oracle.count,
    notes: [
      `${benchPartitions} lanes x batches of ${config.MAX_BATCH_SIZE}`,
      describeCpu(cpuUse),
      `${(cpuMicrosPerEvent(cpuUse, total) ?? Number.NaN).toFixed(1)} µs CPU/event`,
    ],
    detail: {
      outcomes: Object.fromEntries(outcomes),
      commands: byCommand,
      cpu: cpuUse,
      cpuMicrosPerEvent: cpuMicrosPerEvent(cpuUse, total),
      oracleExamples: oracle.examples,
    },
  };
};
