import { describe, expect, it } from 'vitest';
import { ensureTopics } from '../../src/kafka/topics.js';
import { startPspStream } from '../support/processes.js';
import { endpoints, uniqueName, useRealStack } from '../support/real-stack.js';

describe('the demo, end to end in a short run', () => {
  const stack = useRealStack();
  const { admin } = stack;

  it('drives 300 orders through the whole loop and ends with a checked summary and exit code 0', async () => {
    const topics = {
      PSP_RESULT_TOPIC: uniqueName('demo-results'),
      PSP_RESULT_DLQ_TOPIC: uniqueName('demo-results-dlq'),
      PSP_COMMAND_TOPIC: uniqueName('demo-commands'),
      PSP_COMMAND_DLQ_TOPIC: uniqueName('demo-commands-dlq'),
    };
    await ensureTopics(admin, [
      { topic: topics.PSP_RESULT_TOPIC, partitions: 12 },
      { topic: topics.PSP_RESULT_DLQ_TOPIC, partitions: 1 },
      { topic: topics.PSP_COMMAND_TOPIC, partitions: 12 },
      { topic: topics.PSP_COMMAND_DLQ_TOPIC, partitions: 1 },
    ]);
    const demo = startPspStream(['demo', '--orders', '300', '--seed', '4242', '--timeout-s', '150'], {
      ...topics,
      KAFKA_BROKERS: endpoints().brokers.join(','),
      MONGO_URL: endpoints().mongoUrl,
      MONGO_DB: stack.store.db.databaseName,
      CONSUMER_GROUP: uniqueName('demo-workers'),
      EXECUTOR_GROUP: uniqueName('demo-executors'),
      METRICS_PORT: '0',
      EXECUTOR_METRICS_PORT: '0',
    });
    const code = await demo.exited;
    const out = demo.output();
    expect(code, out).toBe(0);
    expect(out).toContain('| orders created');
    expect(out).toMatch(/\| latency p50 \/ p95 \/ p99 +\| +\d+ \/ \d+ \/ \d+ ms \|/);
    expect(out).toMatch(/\| every order final, as the table says +\| +yes \|/);
    expect(out).toMatch(/outcome duplicate +\| +[1-9]\d* \|/);
  }, 200_000);
});
