import { groupConsumer } from '../../src/kafka/client.js';
import type { BenchContext } from '../context.js';
import { cpuMeter, cpuMicrosPerEvent, describeCpu, endOffsets, freshName, round, waitUntil } from '../measure.js';
import type { ThroughputRow } from '../rows.js';

/** Row c: a kafkajs consumer with the worker's settings and a no-op eachBatch: what the transport gives. */
export const runTransport = async (ctx: BenchContext, topic: string): Promise<ThroughputRow> => {
  const ends = await endOffsets(ctx.admin, topic);
  const total = [...ends.values()].reduce((a, b) => a + b, 0);
  // The worker's own consumer factory: a fetch setting changed for the worker (wait, sizes) applies here too.
  const consumer = groupConsumer(ctx.kafka, { groupId: freshName('c'), sessionTimeoutMs: 30_000 });
  await consumer.connect();
  let joinedAt: number | undefined;
  let cpu: ReturnType<typeof cpuMeter> | undefined;
  const removeJoinListener = consumer.on(consumer.events.GROUP_JOIN, () => {
    joinedAt ??= performance.now();
    // From the join: kafkajs decodes a whole fetch before the first eachBatch, which may be the whole topic.
    cpu ??= cpuMeter();
  });
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let count = 0;
  let batches = 0;
  let firstAt: number | undefined;
  let lastAt: number | undefined;
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      firstAt ??= performance.now();
      batches++;
      count += batch.messages.length;
      if (count >= total && lastAt === undefined) lastAt = performance.now();
      await Promise.resolve();
    },
  });
  await waitUntil('row c: every message consumed', () => lastAt !== undefined, 5 * 60_000);
  const cpuUse = cpu?.stop();
  await consumer.stop();
  await consumer.disconnect();
  removeJoinListener();
  // From the group join: when one fetch round holds the whole topic, "first batch → last" measures nothing.
  const seconds = ((lastAt ?? Number.NaN) - (joinedAt ?? Number.NaN)) / 1000;
  const fromFirst = ((lastAt ?? Number.NaN) - (firstAt ?? Number.NaN)) / 1000;
  return {
    id: 'c',
    name: 'transport limit (no-op eachBatch)',
    events: total,
    seconds,
    perSecond: total / seconds,
    notes: [
      'from group join',
      `${batches} batches, ${round(total / Math.max(1, batches))} msgs/batch`,
      `from first batch ${round(total / fromFirst)}/s`,
      describeCpu(cpuUse),
      `${(cpuMicrosPerEvent(cpuUse, total) ?? Number.NaN).toFixed(1)} µs CPU/event`,
    ],
    detail: {
      fromFirstBatch: { seconds: fromFirst, perSecond: total / fromFirst },
      batches,
      cpu: cpuUse,
      cpuMicrosPerEvent: cpuMicrosPerEvent(cpuUse, total),
    },
  };
};
