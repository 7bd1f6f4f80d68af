import type { Admin, Consumer, Kafka, Producer } from 'kafkajs';
import type { Db, MongoClient } from 'mongodb';
import { kafkaSource } from '../kafka/consumer-source.js';
import { committedOffsets, consumerLag } from '../kafka/consumer-lag.js';
import { deadLetterTransactions } from '../kafka/dead-letter-transactions.js';
import { within } from '../operators/within.js';
import { paymentOrderStore, paymentOrdersCollection, type PaymentOrderDocument } from '../state/index.js';
import type { RetryDispatch } from '../state/retry-dispatch-service.js';
import type { WorkerPolicies } from '../streams/worker-policies.js';
import type { HealthServer } from '../telemetry/health-server.js';
import { startLagPoller } from '../telemetry/lag-poller.js';
import type { Logger } from '../telemetry/logger.js';
import { storeProbe } from '../telemetry/store-probe.js';
import type { WorkerMetrics } from '../telemetry/worker-metrics.js';
import { countPublished } from '../telemetry/worker-observer.js';
import { boundedRun, closeBoundMs, closingDeadline } from './bounded-run.js';
import { workerPipeline, type ProcessedListener, type WorkerConfig } from './worker-pipeline.js';

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

export interface ConnectedWorker {
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
export const runningWorker = (c: ConnectedWorker): RunningWorker => {
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

  // A frozen store answers nothing: 1 s without an answer is not ready.
  const storeAnswers = storeProbe(
    () => c.db.command({ ping: 1 }),
    (ping) => within(1_000, ping),
  );

  /**
   * Clients close only once the pipeline ended or was abandoned: nothing in flight can meet a closed store
   * or producer (and be dead-lettered for it). Each close is bounded: a dead broker cannot hold the exit.
   */
  const closeAll = async (stopDeadline: number): Promise<void> => {
    stopLagPoller();
    // The dispatcher's page in progress gets until the stop's deadline; ended by an error, a moment, no more.
    await c.dispatch.stop(closingDeadline(stopDeadline));
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

  const run = boundedRun(pipeline$, {
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    stopSource: source.stop,
    close: closeAll,
    onAbandoned: () => {
      logger.warn(
        { shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS },
        'shutdown drain reached its deadline; unfinished results stay uncommitted and will be redelivered',
      );
    },
  });
  c.setReady(() => (!run.stopping() && source.joined() ? storeAnswers() : Promise.resolve(false)));

  logger.info(
    { topic: config.PSP_RESULT_TOPIC, group: config.CONSUMER_GROUP, metricsPort: c.health.port },
    'psp result update consumer started',
  );
  return {
    metricsPort: c.health.port,
    done: run.done,
    stop: run.stop,
  };
};
