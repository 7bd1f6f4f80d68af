import { runWorker } from '../../src/cli/run-worker.js';
import { collectionSize, freshOrdersDb, workerConfig, type BenchContext } from '../context.js';
import type { EventPlan } from '../events.js';
import { commandsOf } from '../mongo-commands.js';
import {
  cpuMeter,
  cpuMicrosPerEvent,
  describeCpu,
  endOffsets,
  freshDbName,
  freshName,
  waitForCommitted,
} from '../measure.js';
import type { ThroughputRow } from '../rows.js';
import { standInRow } from './stand-in-row.js';

/**
 * Row e: the real worker (`runWorker`, as `psp-stream worker` starts it) on the stand-in, with a fresh
 * database, DLQ and group, draining the stand-in event set already in `topic`. Start = its first store
 * command (≈ first consumed); end = the group's committed offsets reach the topic's end (polled every 50 ms).
 */
export const runWorkerE2e = async (ctx: BenchContext, plan: EventPlan, topic: string): Promise<ThroughputRow> => {
  const dbName = freshDbName('e');
  const db = await freshOrdersDb(ctx, dbName, plan.orders);
  const size = await collectionSize(db);
  const dlq = freshName('e-dlq');
  const commands = freshName('e-commands');
  ctx.createdTopics.push(dlq, commands);
  const group = freshName('e');
  const config = workerConfig(ctx, {
    MONGO_DB: dbName,
    PSP_RESULT_TOPIC: topic,
    PSP_RESULT_DLQ_TOPIC: dlq,
    CONSUMER_GROUP: group,
    PSP_COMMAND_TOPIC: commands,
    // The retry dispatcher (claims due orders, sends commands) would act on the orders this row updates and
    // make it a different workload from rows d and f: held off (first tick after 10 minutes).
    DISPATCH_INTERVAL_MS: '600000',
  });
  const ends = await endOffsets(ctx.admin, topic);
  const total = [...ends.values()].reduce((a, b) => a + b, 0);

  const cpu = cpuMeter();
  const worker = await runWorker(config, ctx.silent);
  let committedAt: number;
  try {
    committedAt = await waitForCommitted(ctx.admin, group, topic, ends, 15 * 60_000);
  } finally {
    await worker.stop();
  }
  const cpuUse = cpu.stop();
  const tally = commandsOf(dbName);
  return standInRow({
    id: 'e',
    name: 'worker end to end, stand-in (runWorker)',
    plan,
    events: total,
    db,
    dbName,
    storeSize: size,
    startedAt: tally.firstStartedAt ?? Number.NaN,
    committedAt,
    lastWriteAt: tally.lastSucceededAt ?? Number.NaN,
    notes: [
      `commit interval ${config.COMMIT_INTERVAL_MS} ms; retry dispatcher held off`,
      describeCpu(cpuUse),
      // The worker runs in the bench process: this is its CPU per event, start-up and drain included.
      `${(cpuMicrosPerEvent(cpuUse, total) ?? Number.NaN).toFixed(1)} µs CPU/event`,
    ],
    detail: {
      commands: Object.fromEntries(tally.byName),
      cpu: cpuUse,
      cpuMicrosPerEvent: cpuMicrosPerEvent(cpuUse, total),
    },
  });
};
