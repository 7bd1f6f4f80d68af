import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import { MongoClient, type Db } from 'mongodb';
import type { Subscription } from 'rxjs';
import { createKafka, groupConsumer, idempotentProducer, kafkaConnectionOf } from '../kafka/client.js';
import { kafkaSource } from '../kafka/consumer-source.js';
import { deadLetterTransactions } from '../kafka/dead-letter-transactions.js';
import { countPublished } from '../telemetry/worker-observer.js';
import { committedOffsets, consumerLag } from '../kafka/consumer-lag.js';
import { producerPublish } from '../kafka/producer-publish.js';
import { ensureTopics, pspResultTopicSpecs } from '../kafka/topics.js';
import {
  ensureStateIndexes,
  paymentOrderStore,
  paymentOrdersCollection,
  type PaymentOrderDocument,
} from '../state/index.js';
import { within } from '../operators/within.js';
import { startRetryDispatch, type RetryDispatch } from '../state/retry-dispatch-service.js';
import type { WorkerPolicies } from '../streams/worker-policies.js';
import { startHealthServer, type HealthServer } from '../telemetry/health-server.js';
import { startLagPoller } from '../telemetry/lag-poller.js';
import type { Logger } from '../telemetry/logger.js';
import { storeProbe } from '../telemetry/store-probe.js';
import { createWorkerMetrics, type WorkerMetrics } from '../telemetry/worker-metrics.js';
import { untilStarted } from './start-up.js';
import { workerPipeline, type ProcessedListener, type WorkerConfig } from './worker-pipeline.js';
import { workerPoliciesOf } from './worker-policies.js';

export type { ProcessedListener, WorkerConfig } from './worker-pipeline.js';

export interface RunningWorker {
  readonly metricsPort: number;
  /** Resolves when the pipeline ended and the clients are closed: after `stop`, or with the error that ended it. */
  readonly done: Promise<void>;
  /**
   * Readiness off at once; stops fetching; lets in-flight work finish and commit until SHUTDOWN_TIMEOUT_MS;
   * then abandons the rest uncommitted (redelivered later, never dead-lettered); closes the clients last.
   */
  readonly stop: () => Promise<void>;
}

/** How long closing the clients may take after the pipeline ended or was abandoned. */
export const closeBoundMs = 3_000;

interface Connected {
  readonly config: WorkerConfig;
  readonly policies: WorkerPolicies;
  readonly logger: Logger;
  readonly metrics: WorkerMetrics;
  readonly onProcessed: ProcessedListener | undefined;
  readonly health: HealthServer;
  readonly mongo: MongoClient;
  readonly db: Db;
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly consumer: Consumer;
  readonly lagAdmin: Admin;
  readonly dispatch: RetryDispatch;
  readonly setReady: (check: () => Promise<boolean>) => void;
}

/** Everything is connected: runs the pipeline and owns its end, whether by a stop or by an error. */
const running = (c: Connected): RunningWorker => {
  const { config, logger, metrics } = c;
  const source = kafkaSource(c.consumer, config.PSP_RESULT_TOPIC, Date.now);
  const deadLetters = !config.DLQ_EXACTLY_ONCE
    ? undefined
    : deadLetterTransactions({
        kafka: c.kafka,
        topic: config.PSP_RESULT_TOPIC,
        groupId: config.CONSUMER_GROUP,
        dlqTopic: config.PSP_RESULT_DLQ_TOPIC,
        transactionalIdPrefix: `${config.CONSUMER_GROUP}-dlq-${config.PSP_RESULT_TOPIC}`,
        clock: () => new Date(),
        commitPlain: source.control.commit,
        owns: source.control.owns,
        assignment: source.assignment,
        committedOffset: async (partition) =>
          (await committedOffsets(c.lagAdmin, config.CONSUMER_GROUP, config.PSP_RESULT_TOPIC)).get(partition),
        onPublished: (letters) => {
          countPublished(metrics, letters);
        },
      });
  const pipeline$ = workerPipeline({
    config,
    policies: c.policies,
    logger,
    metrics,
    events$: source.events$,
    control: source.control,
    producer: c.producer,
    deadLetters,
    store: paymentOrderStore(c.db.collection<PaymentOrderDocument>(paymentOrdersCollection)),
    onProcessed: c.onProcessed,
  });

  const stopLagPoller = startLagPoller({
    lags: () => consumerLag(c.lagAdmin, config.CONSUMER_GROUP, config.PSP_RESULT_TOPIC),
    countOrders: () => c.db.collection(paymentOrdersCollection).estimatedDocumentCount(),
    group: config.CONSUMER_GROUP,
    topic: config.PSP_RESULT_TOPIC,
    intervalMs: config.LAG_REFRESH_MS,
    metrics,
    logger,
  });

  // Set by the first stop request: readiness is off from then on.
  let stopping = false;
  // A frozen store answers nothing: 1 s without an answer is not ready.
  const storeAnswers = storeProbe(
    () => c.db.command({ ping: 1 }),
    (ping) => within(1_000, ping),
  );
  c.setReady(() => (!stopping && source.joined() ? storeAnswers() : Promise.resolve(false)));

  // The pipeline's one subscription: ended by completion (drained), by its error, or abandoned at the deadline.
  let ended!: (outcome: { readonly error?: unknown }) => void;
  const end = new Promise<{ readonly error?: unknown }>((resolve) => {
    ended = resolve;
  });
  const subscription: Subscription = pipeline$.subscribe({
    complete: () => {
      ended({});
    },
    error: (error: unknown) => {
      ended({ error });
    },
  });

  /**
   * Clients close only once the pipeline ended or was abandoned: nothing in flight can meet a closed store
   * or producer (and be dead-lettered for it). Each close is bounded: a dead broker cannot hold the exit.
   */
  const closeAll = async (deadline: number): Promise<void> => {
    stopLagPoller();
    await c.dispatch.stop(deadline);
    await within(
      closeBoundMs,
      Promise.allSettled([
        deadLetters?.close(),
        c.consumer.disconnect(),
        c.producer.disconnect(),
        c.lagAdmin.disconnect(),
        c.mongo.close(),
        c.health.close(),
      ]),
    );
  };

  let deadline = Number.POSITIVE_INFINITY;
  const done = end.then(async ({ error }) => {
    stopping = true;
    // Ended by an error without a stop: give the dispatcher's page in progress a moment, no more.
    await closeAll(Math.min(deadline, Date.now() + closeBoundMs));
    if (error !== undefined) throw error instanceof Error ? error : new Error(JSON.stringify(error));
  });

  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    stopping = true;
    deadline = Math.min(deadline, Date.now() + config.SHUTDOWN_TIMEOUT_MS);
    await source.stop();
    if ((await within(Math.max(0, deadline - Date.now()), end)) === 'timeout') {
      // Unsubscribing drops every lane, retry and pending write: their offsets stay uncommitted and are
      // delivered again to whoever owns the partition next. Nothing is dead-lettered for it.
      logger.warn(
        { shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS },
        'shutdown drain reached its deadline; unfinished results stay uncommitted and will be redelivered',
      );
      subscription.unsubscribe();
      ended({});
    }
    await done.catch(() => undefined);
  };

  logger.info(
    { topic: config.PSP_RESULT_TOPIC, group: config.CONSUMER_GROUP, metricsPort: c.health.port },
    'psp result update consumer started',
  );
  return {
    metricsPort: c.health.port,
    done,
    stop: () => (stopped ??= stop()),
  };
};

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
    mongo = await untilStarted(
      'store',
      async () => {
        mongo = new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 5_000, socketTimeoutMS: 30_000 });
        await mongo.connect();
        await ensureStateIndexes(mongo.db(config.MONGO_DB));
        return mongo;
      },
      retry,
      async () => mongo?.close(),
    );
    const db = mongo.db(config.MONGO_DB);

    const kafka = createKafka(kafkaConnectionOf(config), logger);
    await untilStarted(
      'kafka topics',
      async () => {
        const admin = kafka.admin();
        try {
          await admin.connect();
          await ensureTopics(admin, [
            ...pspResultTopicSpecs(config),
            { topic: config.PSP_COMMAND_TOPIC, partitions: config.PSP_RESULT_PARTITIONS },
          ]);
        } finally {
          await admin.disconnect();
        }
      },
      retry,
    );
    producer = idempotentProducer(kafka);
    const theProducer = producer;
    await untilStarted(
      'kafka producer',
      () => theProducer.connect(),
      retry,
      () => theProducer.disconnect(),
    );
    consumer = groupConsumer(kafka, {
      groupId: config.CONSUMER_GROUP,
      sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    });
    const theConsumer = consumer;
    await untilStarted(
      'kafka consumer',
      () => theConsumer.connect(),
      retry,
      () => theConsumer.disconnect(),
    );
    lagAdmin = kafka.admin();
    const theLagAdmin = lagAdmin;
    await untilStarted(
      'kafka admin',
      () => theLagAdmin.connect(),
      retry,
      () => theLagAdmin.disconnect(),
    );
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

    return running({
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
