import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { uniqueName } from './real-stack.js';

/**
 * Reads every committed record of a topic up to its current end (read_committed, kafkajs' default). Done
 * when kafkajs has read past each partition's last offset: a transaction marker or an aborted record takes
 * an offset but is never handed over, so counting records against offsets would wait forever.
 */
export const readWholeTopic = async (kafka: Kafka, admin: Admin, topic: string): Promise<readonly KafkaMessage[]> => {
  const ends = await admin.fetchTopicOffsets(topic);
  const unread = new Map(
    ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high) - 1] as const),
  );
  if (unread.size === 0) return [];
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 200 });
  const messages: KafkaMessage[] = [];
  const readAll = new Promise<void>((resolve) => {
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const last = unread.get(payload.partition);
      if (last !== undefined && Number(payload.lastOffset) >= last) unread.delete(payload.partition);
      if (unread.size === 0) resolve();
    });
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: ({ batch }) => {
      messages.push(...batch.messages);
      return Promise.resolve();
    },
  });
  await readAll;
  await consumer.disconnect();
  return messages;
};
