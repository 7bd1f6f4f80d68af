import { MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ensureTopics } from '../../src/kafka/topics.js';
import { localStack } from '../../src/stack/local-stack.js';
import { endpoints, uniqueName, useRealStack } from '../support/real-stack.js';

describe('the local stack is made of real servers', () => {
  const stack = useRealStack();
  const { kafka, admin } = stack;

  it('creates topics with the requested partitions, and creating them again changes nothing', async () => {
    const topic = uniqueName('stack-topic');
    expect(await ensureTopics(admin, [{ topic, partitions: 12 }])).toEqual([topic]);
    expect(await ensureTopics(admin, [{ topic, partitions: 12 }])).toEqual([]);
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(12);
    await admin.deleteTopics({ topics: [topic] });
  });

  it('does not auto-create a topic a producer asks for', async () => {
    const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 1 } });
    await producer.connect();
    const topic = uniqueName('never-created');
    await expect(producer.send({ topic, messages: [{ value: 'x' }] })).rejects.toThrow();
    await producer.disconnect();
    expect(await admin.listTopics()).not.toContain(topic);
  });

  it('produces and consumes a keyed message through the broker', async () => {
    const topic = uniqueName('stack-roundtrip');
    await ensureTopics(admin, [{ topic, partitions: 3 }]);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'order-1', value: 'hello', headers: { h: 'v' } }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('stack-group'), maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<{ key: string; value: string; header: string }>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          resolve({
            key: message.key?.toString() ?? '',
            value: message.value?.toString() ?? '',
            header: message.headers?.['h']?.toString() ?? '',
          });
          return Promise.resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(received).toEqual({ key: 'order-1', value: 'hello', header: 'v' });
    await admin.deleteTopics({ topics: [topic] });
  });

  it('writes and reads documents with the official driver and reports duplicate keys as 11000', async () => {
    const orders = stack.store.db.collection<{ _id: string; status: string; ref?: string }>('orders');
    await orders.createIndex({ ref: 1 }, { unique: true, sparse: true }, {});
    await orders.insertOne({ _id: 'o-1', status: 'INITIATED', ref: 'r-1' });
    expect(await orders.findOne({ _id: 'o-1' })).toEqual({ _id: 'o-1', status: 'INITIATED', ref: 'r-1' });

    const error: unknown = await orders.insertOne({ _id: 'o-1', status: 'INITIATED' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(11000);
    const byIndex: unknown = await orders.insertOne({ _id: 'o-2', status: 'X', ref: 'r-1' }).catch((e: unknown) => e);
    expect((byIndex as MongoServerError).code).toBe(11000);
  });

  it('guards a conditional update with $in and $ne so a repeat matches nothing', async () => {
    const orders = stack.store.db.collection<{ _id: string; status: string; history: { key: string }[] }>('guard');
    await orders.insertOne({ _id: 'o-1', status: 'INITIATED', history: [{ key: 'a' }, { key: 'b' }] });
    const apply = () =>
      orders.updateOne(
        { _id: 'o-1', status: { $in: ['INITIATED', 'PENDING'] }, 'history.key': { $ne: 'c' } },
        { $set: { status: 'PENDING' }, $push: { history: { key: 'c' } } },
      );
    expect((await apply()).modifiedCount).toBe(1);
    expect((await apply()).matchedCount).toBe(0);
    expect((await orders.findOne({ _id: 'o-1' }))?.history).toHaveLength(3);
  });

  it('starts no second server when the stack is already up', async () => {
    const stack = localStack({ ...process.env, KAFKA_BROKERS: '', MONGO_URL: '' });
    const running = stack.embedded.filter((s) => s.pid() !== undefined);
    if (endpoints().brokers.join(',') !== stack.endpoints.kafkaBrokers) return; // an external cluster is in use
    expect(running.map((s) => s.name)).toEqual(['kafka', 'mongo']);
    const pids = running.map((s) => s.pid());
    expect(await Promise.all(running.map((s) => s.start()))).toEqual([false, false]);
    expect(running.map((s) => s.pid())).toEqual(pids);
  });
});
