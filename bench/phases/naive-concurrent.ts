import * as E from 'fp-ts/lib/Either.js';
import { decodePspResultUpdate, headerValue, type PspResultUpdateEvent } from '../../src/codecs/index.js';
import { exactWrite } from '../../src/state/conditional-update.js';
import {
  paymentOrdersCollection,
  resolvePspResult,
  type PaymentOrderDocument,
  type ResultSource,
} from '../../src/state/index.js';
import { collectionSize, freshOrdersDb, workerConfig, workerPolicy, type BenchContext } from '../context.js';
import type { EventPlan } from '../events.js';
import { benchPartitions } from '../load.js';
import { connectUnmonitored } from '../mongo-commands.js';
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

/** Reads and writes of one result before the row gives up: only a concurrent writer could make it loop. */
const maxTries = 20;

/**
 * Row n: the best simple consumer a team would write — and a correct one. kafkajs `eachMessage` with
 * `partitionsConsumedConcurrently` = the topic's 12 partitions, auto-commit on; for each message: decode,
 * `findOne({_id})`, decide with the project's own pure rules (`resolvePspResult`: a result whose event key
 * is already in the order's history is a duplicate and skipped; the worker's retry policy and schedule),
 * then `updateOne` guarded by the version read (`exactWrite`: `{_id, version, 'history.key': {$ne: key}}`);
 * no match means the order changed meanwhile: read again and decide again. Two round trips per written
 * result, one per duplicate. Its interval is row e's: first command on payment_orders → the group's
 * committed offsets reach the topic's end.
 */
export const runConcurrentNaive = async (ctx: BenchContext, plan: EventPlan, topic: string): Promise<ThroughputRow> => {
  const dbName = freshDbName('n');
  const db = await freshOrdersDb(ctx, dbName, plan.orders);
  const size = await collectionSize(db);
  // Its own client, unmonitored (see connectUnmonitored): it counts and times its commands itself.
  const client = await connectUnmonitored(ctx.mongoUrl);
  const orders = client.db(dbName).collection<PaymentOrderDocument>(paymentOrdersCollection);
  let commands = 0;
  let firstCommandAt: number | undefined;
  let lastReplyAt = Number.NaN;
  /** One data command on payment_orders: counted, the first one's start and the last one's reply timed. */
  const command = async <T>(send: () => Promise<T>): Promise<T> => {
    commands++;
    firstCommandAt ??= performance.now();
    const reply = await send();
    lastReplyAt = performance.now();
    return reply;
  };
  const policy = workerPolicy(workerConfig(ctx, {}));
  const group = freshName('n');
  const ends = await endOffsets(ctx.admin, topic);
  const total = [...ends.values()].reduce((a, b) => a + b, 0);
  const consumer = ctx.kafka.consumer({
    groupId: group,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    maxWaitTimeInMs: 250,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const outcomes = new Map<string, number>();
  let conflicts = 0;
  // Messages being handled at once (one per partition at most): shows the 12-way concurrency is real.
  let inFlight = 0;
  let peakInFlight = 0;
  let undecodable = 0;
  let failure: Error | undefined;
  const count = (outcome: string): void => {
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  };
  /** Read, decide, write guarded by the version read; on no match read again. */
  const handle = async (event: PspResultUpdateEvent, source: ResultSource): Promise<void> => {
    for (let tries = 1; ; tries++) {
      const doc = await command(() => orders.findOne({ _id: event.paymentOrderId }));
      const now = new Date();
      const resolution = resolvePspResult(doc, event, source, policy, now);
      if (resolution._tag === 'Done' || doc === null) {
        count(resolution.outcome._tag);
        return;
      }
      const write = exactWrite(doc, resolution.effect, now);
      if ((await command(() => orders.updateOne(write.filter, write.update))).matchedCount === 1) {
        count(resolution.outcome._tag);
        return;
      }
      conflicts++;
      if (tries >= maxTries) {
        // Thrown inside eachMessage, kafkajs would retry the message forever: record it and fail the row.
        failure ??= new Error(`order ${event.paymentOrderId}: no write matched after ${maxTries} reads`);
        return;
      }
    }
  };
  const cpu = cpuMeter();
  await consumer.run({
    autoCommit: true,
    partitionsConsumedConcurrently: benchPartitions,
    eachMessage: async ({ topic: t, partition, message }) => {
      const decoded = decodePspResultUpdate(message);
      if (E.isLeft(decoded)) {
        undecodable++;
        return;
      }
      const traceId = headerValue(message.headers, 'traceparent')?.split('-')[1];
      peakInFlight = Math.max(peakInFlight, ++inFlight);
      try {
        await handle(decoded.right, { topic: t, partition, offset: message.offset, traceId });
      } finally {
        inFlight--;
      }
    },
  });
  let committedAt: number;
  try {
    committedAt = await waitForCommitted(ctx.admin, group, topic, ends, 15 * 60_000);
  } finally {
    await consumer.stop();
    await consumer.disconnect();
    await client.close();
  }
  const cpuUse = cpu.stop();
  if (failure !== undefined) throw failure;
  return standInRow({
    id: 'n',
    name: 'concurrent naive consumer, stand-in (eachMessage x12: findOne, version-guarded updateOne)',
    plan,
    events: total,
    db,
    dbName,
    storeSize: size,
    startedAt: firstCommandAt ?? Number.NaN,
    committedAt,
    lastWriteAt: lastReplyAt,
    roundTrips: commands,
    notes: [
      `${benchPartitions} partitions at once (peak ${peakInFlight} messages in flight); ${conflicts} version conflicts re-read; ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`,
      describeCpu(cpuUse),
      `${(cpuMicrosPerEvent(cpuUse, total) ?? Number.NaN).toFixed(1)} µs CPU/event`,
    ],
    detail: {
      outcomes: Object.fromEntries(outcomes),
      conflicts,
      peakInFlight,
      undecodable,
      commands,
      cpu: cpuUse,
      cpuMicrosPerEvent: cpuMicrosPerEvent(cpuUse, total),
    },
  });
};
