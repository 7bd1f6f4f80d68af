import type { Admin, Consumer, Producer } from 'kafkajs';
import type { MongoClient } from 'mongodb';
import { createKafka, groupConsumer, idempotentProducer, kafkaConnectionOf } from '../kafka/client.js';
import { producerPublish } from '../kafka/producer-publish.js';
import { pspResultTopicSpecs } from '../kafka/topics.js';
import { within } from '../operators/within.js';
import { ensureStateIndexes } from '../state/index.js';
import { startRetryDispatch } from '../state/retry-dispatch-service.js';
import { startHealthServer } from '../telemetry/health-server.js';
import type { Logger } from '../telemetry/logger.js';
import { createWorkerMetrics } from '../telemetry/worker-metrics.js';
import { closeBoundMs } from './bounded-run.js';
import { connected, connectStore, topicsEnsured } from './connect.js';
import { runningWorker, type RunningWorker } from './running-worker.js';
import { untilStarted } from './start-up.js';
import type { ProcessedListener, WorkerConfig } from './worker-pipeline.js';
import { workerPoliciesOf } from './worker-policies.js';

export type { ProcessedListener, WorkerConfig } from './worker-pipeline.js';
export type { RunningWorker } from './running-worker.js';
/**
 * Starts the worker: the health server first (so /healthz answers and /readyz says "not ready" while
 * starting), then MongoDB and Kafka, each retried with backoff until it answers or `signal` aborts the
 * start-up. Kafka refusing our credentials is not retried (see `untilStarted`).
 */
export const runWorker = async (
  config: WorkerConfig,
  logger: Logger,
  onProcessed?: ProcessedListener,
  opts: { readonly signal?: AbortSignal | undefined } = {},
): Promise<RunningWorker> => {
  const metrics = createWorkerMetrics();
  const policies = workerPoliciesOf(config);
  const retry = { logger, signal: opts.signal };
  // The readiness check in force: not ready until started, and again from the first moment of a stop.
  let ready: () => Promise<boolean> = () => Promise.resolve(false);
  const health = await startHealthServer({
    port: config.METRICS_PORT,
    registry: metrics.registry,
    ready: () => ready(),
  });

  // What is open so far, closed again when start-up is aborted or fails for good.
  let mongo: MongoClient | undefined;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  let lagAdmin: Admin | undefined;
  const closeOpened = async (): Promise<void> => {
    await within(
      closeBoundMs,
      Promise.allSettled([
        consumer?.disconnect(),
        producer?.disconnect(),
        lagAdmin?.disconnect(),
        mongo?.close(),
        health.close(),
      ]),
    );
  };

  try {
    mongo = await connectStore(
      {
        url: config.MONGO_URL,
        db: config.MONGO_DB,
        options: { serverSelectionTimeoutMS: 5_000, socketTimeoutMS: 30_000 },
      },
      ensureStateIndexes,
      retry,
    );
    const db = mongo.db(config.MONGO_DB);

    const kafka = createKafka(kafkaConnectionOf(config), logger);
    await topicsEnsured(
      kafka,
      [...pspResultTopicSpecs(config), { topic: config.PSP_COMMAND_TOPIC, partitions: config.PSP_RESULT_PARTITIONS }],
      retry,
    );
    producer = idempotentProducer(kafka);
    const theProducer = await connected('kafka producer', producer, retry);
    consumer = groupConsumer(kafka, {
      groupId: config.CONSUMER_GROUP,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    });
    await connected('kafka consumer', consumer, retry);
    lagAdmin = kafka.admin();
    const theLagAdmin = await connected('kafka admin', lagAdmin, retry);
    const dispatch = await untilStarted(
      'retry dispatcher',
      () =>
        startRetryDispatch({
          db,
          publish: producerPublish(theProducer),
          logger,
          metrics,
          config: { commandTopic: config.PSP_COMMAND_TOPIC, ...policies.dispatch, random: policies.random },
        }),
      retry,
    );

    return runningWorker({
      config,
      policies,
      logger,
      metrics,
      onProcessed,
      health,
      db,
      kafka,
      producer,
      consumer,
      lagAdmin: theLagAdmin,
      dispatch,
      mongo,
      setReady: (check) => {
        ready = check;
      },
    });
  } catch (error) {
    await closeOpened();
    throw error;
  }
};
