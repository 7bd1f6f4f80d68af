import type { Admin, Kafka } from 'kafkajs';
import { uniqueName } from './real-stack.js';

export interface TopicRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
}

/** Every record of a topic up to its current end, with its partition and offset. */
export const readRecords = async (kafka: Kafka, admin: Admin, topic: string): Promise<readonly TopicRecord[]> => {
  const ends = await admin.fetchTopicOffsets(topic);
  const total = ends.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
  if (total === 0) return [];
  const consumer = kafka.consumer({ groupId: uniqueName('record-reader'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const records: TopicRecord[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: ({ batch }) => {
        for (const m of batch.messages) {
          records.push({
            partition: batch.partition,
            offset: Number(m.offset),
            key: m.key,
            value: m.value,
            headers: m.headers ?? {},
          });
        }
        if (records.length >= total) resolve();
        return Promise.resolve();
      },
    });
  });
  await consumer.disconnect();
  return records;
};
