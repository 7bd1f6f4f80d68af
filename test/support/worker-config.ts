import * as E from 'fp-ts/lib/Either.js';
import type { Admin } from 'kafkajs';
import { decodeEnv } from '../../src/config/env-spec.js';
import { workerEnv } from '../../src/config/worker-env.js';
import type { WorkerConfig } from '../../src/cli/run-worker.js';
import { ensureTopics } from '../../src/kafka/topics.js';
import { endpoints, uniqueName } from './real-stack.js';

export interface WorkerNames {
  readonly topic: string;
  readonly dlq: string;
  readonly group: string;
  readonly db: string;
}

/** Fresh names for a worker under test (`<label>-results`, `-dlq`, `-group`), its topics created as the worker's. */
export const workerTopics = async (admin: Admin, label: string, db: string): Promise<WorkerNames> => {
  const names = {
    topic: uniqueName(`${label}-results`),
    dlq: uniqueName(`${label}-dlq`),
    group: uniqueName(`${label}-group`),
    db,
  };
  await ensureTopics(admin, [
    { topic: names.topic, partitions: 12 },
    { topic: names.dlq, partitions: 1 },
  ]);
  return names;
};

/** Worker settings for a test: its own topics, group and database on the real local stack. */
export const workerTestEnv = (names: WorkerNames): Record<string, string> => ({
  KAFKA_BROKERS: endpoints().brokers.join(','),
  MONGO_URL: endpoints().mongoUrl,
  MONGO_DB: names.db,
  PSP_RESULT_TOPIC: names.topic,
  PSP_RESULT_DLQ_TOPIC: names.dlq,
  PSP_RESULT_PARTITIONS: '12',
  CONSUMER_GROUP: names.group,
  METRICS_PORT: '0',
  UNKNOWN_ORDER_RETRIES: '2',
  // A SIGKILLed worker's partitions move on after this long: the broker's minimum.
  KAFKA_SESSION_TIMEOUT_MS: '6000',
  LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
});

export const workerTestConfig = (env: Record<string, string>): WorkerConfig => {
  const decoded = decodeEnv(workerEnv, env);
  if (E.isLeft(decoded)) throw new Error(decoded.left.problems.join('\n'));
  return decoded.right;
};
