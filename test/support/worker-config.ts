import * as E from 'fp-ts/lib/Either.js';
import { decodeEnv } from '../../src/config/env-spec.js';
import { workerEnv } from '../../src/config/worker-env.js';
import type { WorkerConfig } from '../../src/cli/run-worker.js';
import { endpoints } from './real-stack.js';

/** Worker settings for a test: its own topics, group and database on the real local stack. */
export const workerTestEnv = (names: {
  topic: string;
  dlq: string;
  group: string;
  db: string;
}): Record<string, string> => ({
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
