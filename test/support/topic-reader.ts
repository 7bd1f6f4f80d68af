import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { uniqueName } from './real-stack.js';

/** Reads every record of a topic up to its current end. */
export const readWholeTopic = async (kafka: Kafka, admin: Admin, topic: string): Promise<readonly KafkaMessage[]> => {
  const ends = await admin.fetchTopicOffsets(topic);
  const total = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  if (total === 0) return [];
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const messages: KafkaMessage[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: ({ batch }) => {
        messages.push(...batch.messages);
        if (messages.length >= total) resolve();
        return Promise.resolve();
      },
    });
  });
  await consumer.disconnect();
  return messages;
};
