import { randomUUID } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import { createKafka } from '../../src/kafka/client.js';
import { createLogger } from '../../src/telemetry/logger.js';

/** Integration tests run under `npm test`, which hands them the real servers' addresses. */
export const endpoints = (): { readonly brokers: string[]; readonly mongoUrl: string } => {
  const brokers = process.env['KAFKA_BROKERS'];
  const mongoUrl = process.env['MONGO_URL'];
  if (!brokers || !mongoUrl) {
    throw new Error('KAFKA_BROKERS and MONGO_URL are unset: run integration tests with `npm test`');
  }
  return { brokers: brokers.split(','), mongoUrl };
};

export const uniqueName = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

export const testLogger = createLogger({ name: 'test', level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });

export const testKafka = (clientId = uniqueName('test')) =>
  createKafka({ brokers: endpoints().brokers, clientId }, testLogger);

/** A fresh database per test file, dropped afterwards. */
export const testDb = async (): Promise<{ readonly db: Db; readonly close: () => Promise<void> }> => {
  const client = await new MongoClient(endpoints().mongoUrl).connect();
  const db = client.db(uniqueName('psp-test').replace(/-/g, '_'));
  return {
    db,
    close: async () => {
      await db.dropDatabase();
      await client.close();
    },
  };
};

/**
 * The clients an integration test file shares: a Kafka admin and idempotent producer, and a fresh
 * database, connected before its tests and closed (the database dropped) after them.
 */
export const useRealStack = () => {
  const kafka = testKafka();
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  let store: Awaited<ReturnType<typeof testDb>> | undefined;
  beforeAll(async () => {
    await Promise.all([admin.connect(), producer.connect()]);
    store = await testDb();
  });
  afterAll(async () => {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
    await store?.close();
  });
  return {
    kafka,
    admin,
    producer,
    get store(): Awaited<ReturnType<typeof testDb>> {
      if (store === undefined) throw new Error('the real stack is used before its beforeAll ran');
      return store;
    },
  };
};
