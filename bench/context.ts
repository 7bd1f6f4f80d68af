import * as E from 'fp-ts/lib/Either.js';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Db, MongoClient } from 'mongodb';
import type { WorkerConfig } from '../src/cli/run-worker.js';
import { decodeEnv } from '../src/config/env-spec.js';
import { workerEnv } from '../src/config/worker-env.js';
import { ensureStateIndexes, paymentOrdersCollection, type PaymentOrderDocument } from '../src/state/index.js';
import type { Logger } from '../src/telemetry/logger.js';
import type { BenchArgs } from './args.js';
import { initiatedDoc, type PlannedOrder } from './events.js';

/** What every row shares: connections, the names to clean up, and the worker's settings. */
export interface BenchContext {
  readonly args: BenchArgs;
  readonly brokers: string;
  readonly mongoUrl: string;
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: Producer;
  readonly mongo: MongoClient;
  /** Logger of the bench's own Kafka clients (errors only). */
  readonly logger: Logger;
  /** The worker's logger: LOG_LEVEL=silent, as in the stand-in run. */
  readonly silent: Logger;
  /** Topics and databases this run made: deleted at the end. */
  readonly createdTopics: string[];
  readonly createdDbs: string[];
}

/**
 * The worker's configuration as `runWorker` would decode it: the product's defaults, any worker knob set in
 * the environment (MAX_BATCH_SIZE, …), and this run's fresh names.
 */
export const workerConfig = (ctx: BenchContext, names: Record<string, string>): WorkerConfig => {
  const decoded = decodeEnv(workerEnv, {
    ...process.env,
    KAFKA_BROKERS: ctx.brokers,
    MONGO_URL: ctx.mongoUrl,
    METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    ...names,
  });
  if (E.isLeft(decoded)) throw new Error(decoded.left.problems.join('\n'));
  return decoded.right;
};

export { workerPolicy } from '../src/cli/worker-pipeline.js';

/** A fresh database holding one INITIATED document per order, with the worker's indexes. */
export const freshOrdersDb = async (ctx: BenchContext, name: string, orders: readonly PlannedOrder[]): Promise<Db> => {
  ctx.createdDbs.push(name);
  const db = ctx.mongo.db(name);
  const now = new Date();
  const collection = db.collection<PaymentOrderDocument>(paymentOrdersCollection);
  for (let i = 0; i < orders.length; i += 1_000) {
    await collection.insertMany(orders.slice(i, i + 1_000).map((o) => initiatedDoc(o.id, now)));
  }
  await ensureStateIndexes(db);
  return db;
};

/** Status and attempts of every stored order. */
export const storedStates = async (
  db: Db,
): Promise<ReadonlyMap<string, Pick<PaymentOrderDocument, 'status' | 'attempts'>>> => {
  const docs = await db
    .collection<PaymentOrderDocument>(paymentOrdersCollection)
    .find({}, { projection: { status: 1, attempts: 1 } })
    .toArray();
  return new Map(docs.map((d) => [d._id as string, { status: d.status, attempts: d.attempts }]));
};

export const collectionSize = (db: Db): Promise<number> => db.collection(paymentOrdersCollection).countDocuments({});
