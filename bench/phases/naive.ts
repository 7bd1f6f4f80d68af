import * as E from 'fp-ts/lib/Either.js';
import { decodePspResultUpdate, eventKeyOf, headerValue } from '../../src/codecs/index.js';
import { paymentOrdersCollection, type PaymentOrderDocument } from '../../src/state/index.js';
import { optimisticWrite } from '../../src/state/conditional-update.js';
import { collectionSize, freshOrdersDb, workerConfig, type BenchContext } from '../context.js';
import type { EventPlan } from '../events.js';
import { cpuMeter, describeCpu, endOffsets, freshDbName, freshName, waitForCommitted } from '../measure.js';
import type { ThroughputRow } from '../rows.js';
import { standInRow } from './stand-in-row.js';

/**
 * Row f: what one would write first — kafkajs `eachMessage`, `await updateOne(<optimisticWrite's filter and
 * update>)`, auto-commit on. No slow path: a result the optimistic guard refuses (a duplicate, a late
 * result, the retry that exhausts attempts) is simply dropped, so its oracle mismatches are expected.
 */
export const runNaive = async (ctx: BenchContext, plan: EventPlan, topic: string): Promise<ThroughputRow> => {
  const dbName = freshDbName('f');
  const db = await freshOrdersDb(ctx, dbName, plan.orders);
  const size = await collectionSize(db);
  const orders = db.collection<PaymentOrderDocument>(paymentOrdersCollection);
  // Without a schedule: with one, a retry is one alternative write per attempts count, which is not what a
  // naive consumer writes. Retries are then written without `nextRetryAt`.
  const policy = { maxAttempts: workerConfig(ctx, {}).MAX_ATTEMPTS };
  const group = freshName('f');
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
  let firstAt: number | undefined;
  let lastWriteAt = Number.NaN;
  let matched = 0;
  let undecodable = 0;
  let cpu: ReturnType<typeof cpuMeter> | undefined;
  await consumer.run({
    autoCommit: true,
    eachMessage: async ({ topic: t, partition, message }) => {
      if (firstAt === undefined) {
        firstAt = performance.now();
        cpu = cpuMeter();
      }
      const decoded = decodePspResultUpdate(message);
      if (E.isLeft(decoded)) {
        undecodable++;
        return;
      }
      const event = decoded.right;
      const traceId = headerValue(message.headers, 'traceparent')?.split('-')[1];
      const source = { topic: t, partition, offset: message.offset, traceId };
      const [write, ...more] =
        optimisticWrite(event, eventKeyOf(event), source, policy, new Date())?.alternatives ?? [];
      if (write === undefined || more.length > 0) throw new Error('without a schedule a result has one write');
      matched += (await orders.updateOne(write.filter, write.update)).matchedCount;
      lastWriteAt = performance.now();
    },
  });
  let committedAt: number;
  try {
    committedAt = await waitForCommitted(ctx.admin, group, topic, ends, 15 * 60_000);
  } finally {
    await consumer.stop();
    await consumer.disconnect();
  }
  const cpuUse = cpu?.stop();
  return standInRow({
    id: 'f',
    name: 'naive baseline, stand-in (eachMessage + updateOne)',
    plan,
    events: total,
    db,
    dbName,
    storeSize: size,
    startedAt: firstAt ?? Number.NaN,
    committedAt,
    lastWriteAt,
    notes: [`${matched} of ${total} updates matched; refused results dropped (no slow path)`, describeCpu(cpuUse)],
    detail: { matched, undecodable, cpu: cpuUse },
  });
};
