import { describe, expect, it } from 'vitest';
import { ensureTopics } from '../../src/kafka/topics.js';
import { startPspStream } from '../support/processes.js';
import { endpoints, uniqueName, useRealStack } from '../support/real-stack.js';

describe('the demo, end to end in a short run', () => {
  const stack = useRealStack();
  const { admin } = stack;

  it('drives 300 orders (steady, then a burst) through the whole loop and ends with a checked summary and exit code 0', async () => {
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
    const demo = startPspStream(
      ['demo', '--rate', '30', '--seconds', '5', '--burst', '150', '--seed', '4242', '--timeout-s', '150'],
      {
        ...topics,
        KAFKA_BROKERS: endpoints().brokers.join(','),
        MONGO_URL: endpoints().mongoUrl,
        MONGO_DB: stack.store.db.databaseName,
        CONSUMER_GROUP: uniqueName('demo-workers'),
        EXECUTOR_GROUP: uniqueName('demo-executors'),
        METRICS_PORT: '0',
        EXECUTOR_METRICS_PORT: '0',
      },
    );
    const code = await demo.exited;
    const out = demo.output();
    expect(code, out).toBe(0);
    expect(out).toMatch(/\| orders +\| 150 steady \+ 150 burst/);
    expect(out).toMatch(/\| steady: eventTime→written p50 \/ p99 +\| [\d,]+ \/ [\d,]+ ms/);
    expect(out).toMatch(/\| burst: orders answered +\| 150 of 150/);
    expect(out).toMatch(/\| retry tail: waited on +\| \d+ retries/);
    expect(out).toMatch(/\| every order final, as the table says +\| yes +\|/);
    expect(out).toMatch(/outcome duplicate +\| [1-9]\d* +\|/);
    // piped: plain lines, no escape codes, and no JSON log lines unless asked for
    expect(out).toMatch(/^\[ +\d+ s\] /m);
    expect(out).not.toMatch(/^\{"level"/m);
  }, 200_000);
});
