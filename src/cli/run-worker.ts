import { MongoClient } from 'mongodb';
import { lastValueFrom } from 'rxjs';
import { connectWorkerClients, createKafka, kafkaConnectionOf } from '../kafka/client.js';
import { kafkaSource } from '../kafka/consumer-source.js';
import { consumerLag } from '../kafka/consumer-lag.js';
import { ensureTopics, pspResultTopicSpecs } from '../kafka/topics.js';
import {
  ensureStateIndexes,
  paymentOrderStore,
  paymentOrdersCollection,
  type PaymentOrderDocument,
} from '../state/index.js';
import { startHealthServer } from '../telemetry/health-server.js';
import type { Logger } from '../telemetry/logger.js';
import { createWorkerMetrics } from '../telemetry/worker-metrics.js';
import { startRetryDispatch } from './retry-dispatch.js';
import { workerPipeline, type ProcessedListener, type WorkerConfig } from './worker-pipeline.js';

export type { ProcessedListener, WorkerConfig } from './worker-pipeline.js';

export interface RunningWorker {
  readonly metricsPort: number;
  /** Resolves when the pipeline ended: after a drain on `stop`, or with the error that ended it. */
  readonly done: Promise<void>;
  /** Stops fetching, drains what is in flight, commits, disconnects; bounded by SHUTDOWN_TIMEOUT_MS. */
  readonly stop: () => Promise<void>;
}

export const runWorker = async (
  config: WorkerConfig,
  logger: Logger,
  onProcessed?: ProcessedListener,
): Promise<RunningWorker> => {
  const metrics = createWorkerMetrics();
  const mongo = await new MongoClient(config.MONGO_URL, {
    serverSelectionTimeoutMS: 5_000,
    socketTimeoutMS: 30_000,
  }).connect();
  const db = mongo.db(config.MONGO_DB);
  await ensureStateIndexes(db);

  const kafka = createKafka(kafkaConnectionOf(config), logger);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [
    ...pspResultTopicSpecs(config),
    { topic: config.PSP_COMMAND_TOPIC, partitions: config.PSP_RESULT_PARTITIONS },
  ]);
  await admin.disconnect();

  const { producer, consumer } = await connectWorkerClients(kafka, {
    groupId: config.CONSUMER_GROUP,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
  });

  const source = kafkaSource(consumer, config.PSP_RESULT_TOPIC, Date.now);
  const pipeline$ = workerPipeline({
    config,
    logger,
    metrics,
    events$: source.events$,
    control: source.control,
    producer,
    store: paymentOrderStore(db.collection<PaymentOrderDocument>(paymentOrdersCollection)),
    onProcessed,
  });

  const lagAdmin = kafka.admin();
  await lagAdmin.connect();
  const refreshLag = async (): Promise<void> => {
    const lags = await consumerLag(lagAdmin, config.CONSUMER_GROUP, config.PSP_RESULT_TOPIC);
    for (const { partition, lag } of lags) {
      metrics.consumerGroupLag.set(
        { consumergroup: config.CONSUMER_GROUP, topic: config.PSP_RESULT_TOPIC, partition: String(partition) },
        lag,
      );
    }
  };
  const lagTimer = setInterval(() => {
    refreshLag().catch((error: unknown) => {
      logger.debug({ err: error }, 'consumer lag refresh failed');
    });
  }, config.LAG_REFRESH_MS);
  lagTimer.unref();

  // The driver ignores `timeoutMS` (deprecated, "has no effect"): against a frozen store a ping hangs until
  // socketTimeoutMS. So the 1 s bound is our own timer, and one ping at a time, so that probes of a hung store
  // do not pile up connections.
  let ping: Promise<boolean> | undefined;
  const storeAnswers = (): Promise<boolean> => {
    const current = (ping ??= db.command({ ping: 1 }).then(
      () => {
        ping = undefined;
        return true;
      },
      () => {
        ping = undefined;
        return false;
      },
    ));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        resolve(false);
      }, 1_000);
    });
    return Promise.race([current, late]).finally(() => {
      clearTimeout(timer);
    });
  };

  const health = await startHealthServer({
    port: config.METRICS_PORT,
    registry: metrics.registry,
    ready: () => (source.joined() ? storeAnswers() : Promise.resolve(false)),
  });

  const dispatch = await startRetryDispatch({
    db,
    producer,
    logger,
    metrics,
    config: {
      commandTopic: config.PSP_COMMAND_TOPIC,
      intervalMs: config.DISPATCH_INTERVAL_MS,
      leaseMs: config.DISPATCH_LEASE_MS,
    },
  });

  const disconnect = async (): Promise<void> => {
    clearInterval(lagTimer);
    await dispatch.stop();
    await Promise.allSettled([
      consumer.disconnect(),
      producer.disconnect(),
      lagAdmin.disconnect(),
      mongo.close(),
      health.close(),
    ]);
  };

  const done = lastValueFrom(pipeline$, { defaultValue: undefined }).then(
    async () => {
      await disconnect();
    },
    async (error: unknown) => {
      await disconnect();
      throw error;
    },
  );

  logger.info(
    { topic: config.PSP_RESULT_TOPIC, group: config.CONSUMER_GROUP, metricsPort: health.port },
    'psp result update consumer started',
  );
  return {
    metricsPort: health.port,
    done: done.then(() => undefined),
    stop: async () => {
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => {
          resolve('timeout');
        }, config.SHUTDOWN_TIMEOUT_MS).unref(),
      );
      await source.stop();
      if (
        (await Promise.race([
          done.then(
            () => 'drained' as const,
            () => 'drained' as const,
          ),
          timeout,
        ])) === 'timeout'
      ) {
        logger.error('shutdown drain timed out; uncommitted messages will be redelivered');
        await disconnect();
      }
    },
  };
};
