import type { Kafka } from 'kafkajs';
import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { ensureTopics, type TopicSpec } from '../kafka/topics.js';
import { untilStarted, type StartUpRetry } from './start-up.js';

/**
 * The start-up steps the worker and the executor share, each retried with backoff until it succeeds (see
 * `untilStarted`); a failed attempt closes what it opened.
 */

/** MongoDB connected, with the indexes the caller needs in place. */
export const connectStore = (
  store: { readonly url: string; readonly db: string; readonly options: MongoClientOptions },
  ensureIndexes: (db: Db) => Promise<void>,
  retry: StartUpRetry,
): Promise<MongoClient> => {
  // The attempt in progress: closed again when it fails.
  let mongo: MongoClient | undefined;
  return untilStarted(
    'store',
    async () => {
      mongo = new MongoClient(store.url, store.options);
      await mongo.connect();
      await ensureIndexes(mongo.db(store.db));
      return mongo;
    },
    retry,
    async () => mongo?.close(),
  );
};

/** The topics exist (created with their specs when they do not). */
export const topicsEnsured = (kafka: Kafka, specs: readonly TopicSpec[], retry: StartUpRetry): Promise<void> =>
  untilStarted(
    'kafka topics',
    async () => {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await ensureTopics(admin, specs);
      } finally {
        await admin.disconnect();
      }
    },
    retry,
  );

/** A Kafka producer, consumer or admin, connected. */
export const connected = async <C extends { connect: () => Promise<void>; disconnect: () => Promise<void> }>(
  step: string,
  client: C,
  retry: StartUpRetry,
): Promise<C> => {
  await untilStarted(
    step,
    () => client.connect(),
    retry,
    () => client.disconnect(),
  );
  return client;
};
