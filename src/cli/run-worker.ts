import kafkajs from 'kafkajs';
import { MongoClient } from 'mongodb';
import { defer, lastValueFrom, tap } from 'rxjs';
import { decodePspResultUpdate, headerValue } from '../codecs/index.js';
import type { ConfigOf } from '../config/env-spec.js';
import type { workerEnv } from '../config/worker-env.js';
import { createKafka } from '../kafka/client.js';
import { kafkaSource } from '../kafka/consumer-source.js';
import { deadLetterPublisher } from '../kafka/dead-letter-publisher.js';
import { consumerLag } from '../kafka/consumer-lag.js';
import { ensureTopics, pspResultTopicSpecs } from '../kafka/topics.js';
import {
  ensureStateIndexes,
  outcomeLabel,
  paymentOrderStore,
  paymentOrdersCollection,
  processPaymentService,
  type PaymentOrderDocument,
} from '../state/index.js';
import { applyBatch } from '../streams/apply-batch.js';
import { OffsetLedger } from '../streams/offset-ledger.js';
import { pspResultUpdateConsumer } from '../streams/psp-result-update-consumer.js';
import type { Processed } from '../streams/consumed-message.js';
import { startHealthServer } from '../telemetry/health-server.js';
import type { Logger } from '../telemetry/logger.js';
import { SpanKind, startSpanFrom } from '../telemetry/trace-context.js';
import { createWorkerMetrics } from '../telemetry/worker-metrics.js';
import { startRetryDispatch } from './retry-dispatch.js';

export type WorkerConfig = ConfigOf<typeof workerEnv>;

export interface RunningWorker {
  readonly metricsPort: number;
  /** Resolves when the pipeline ended: after a drain on `stop`, or with the error that ended it. */
  readonly done: Promise<void>;
  /** Stops fetching, drains what is in flight, commits, disconnects; bounded by SHUTDOWN_TIMEOUT_MS. */
  readonly stop: () => Promise<void>;
}

/** `traceparent` = version-traceid-spanid-flags; the trace id is what logs and the audit trail carry. */
const traceIdOf = (traceparent: string | undefined): string | undefined => traceparent?.split('-')[1];

/** Told of every processed message, with its consume → write latency (the demo's progress and summary). */
export type ProcessedListener = (p: Processed, latencyMs: number) => void;

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

  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID }, logger);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [
    ...pspResultTopicSpecs(config),
    { topic: config.PSP_COMMAND_TOPIC, partitions: config.PSP_RESULT_PARTITIONS },
  ]);
  await admin.disconnect();

  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // Java-compatible murmur2, so every producer puts an order's results on the same partition.
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const consumer = kafka.consumer({
    groupId: config.CONSUMER_GROUP,
    sessionTimeout: config.KAFKA_SESSION_TIMEOUT_MS,
    heartbeatInterval: Math.floor(config.KAFKA_SESSION_TIMEOUT_MS / 10),
    maxWaitTimeInMs: 250,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();

  const service = processPaymentService({
    store: paymentOrderStore(db.collection<PaymentOrderDocument>(paymentOrdersCollection)),
    policy: {
      maxAttempts: config.MAX_ATTEMPTS,
      schedule: {
        retryBackoff: { baseMs: config.RETRY_BASE_MS, capMs: config.RETRY_CAP_MS },
        checkDelayMs: config.CHECK_DELAY_MS,
        random: Math.random,
      },
    },
    now: () => new Date(),
  });
  const source = kafkaSource(consumer, config.PSP_RESULT_TOPIC, Date.now);
  const retry = {
    backoff: { baseMs: 100, capMs: 10_000 },
    random: Math.random,
    onRetry: (error: { retryable: boolean; code?: string; message?: string }, attempt: number, delayMs: number) => {
      metrics.retries.inc();
      metrics.failed.inc({ reason: error.code ?? 'transient' });
      logger.warn({ code: error.code, attempt, delayMs, err: error.message }, 'transient failure, retrying');
    },
  };

  const record = (p: Processed): void => {
    const now = Date.now();
    const message = p._tag === 'Applied' ? p.message : p.letter.message;
    const span = startSpanFrom(`process ${message.topic}`, headerValue(message.headers, 'traceparent'), {
      kind: SpanKind.CONSUMER,
      startTime: message.receivedAt,
      attributes: { 'messaging.kafka.partition': message.partition, 'messaging.kafka.offset': message.offset },
    });
    span.end(now);
    const outcome = p._tag === 'Applied' ? outcomeLabel(p.outcome) : 'dead_lettered';
    metrics.processed.inc({ outcome });
    if (p._tag === 'Applied' && p.outcome._tag === 'Applied' && p.outcome.to === 'RETRY_PENDING') {
      metrics.retriesScheduled.inc();
    }
    metrics.processingSeconds.observe((now - message.receivedAt) / 1000);
    onProcessed?.(p, now - message.receivedAt);
    const event = p.event;
    if (event !== undefined) metrics.eventLagSeconds.observe(Math.max(0, now - event.eventTime.getTime()) / 1000);
    const line = {
      traceId: traceIdOf(headerValue(message.headers, 'traceparent')) ?? span.spanContext().traceId,
      spanId: span.spanContext().spanId,
      paymentOrderId: event?.paymentOrderId,
      pspReference: event?.pspReference,
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      outcome,
      ...(p._tag === 'DeadLettered' ? { reason: p.letter.reason, description: p.letter.description } : {}),
    };
    if (p._tag === 'DeadLettered') logger.warn(line, 'psp result dead-lettered');
    else logger.info(line, 'psp result processed');
  };

  const pipeline$ = pspResultUpdateConsumer(source.events$, {
    control: source.control,
    ledger: new OffsetLedger(),
    config: {
      maxInFlightPerPartition: config.MAX_IN_FLIGHT_PER_PARTITION,
      maxBatchSize: config.MAX_BATCH_SIZE,
      commitIntervalMs: config.COMMIT_INTERVAL_MS,
      commitEvery: config.COMMIT_EVERY,
    },
    onCommitFailed: (error) => {
      metrics.failed.inc({ reason: 'commit' });
      logger.warn({ err: error }, 'offset commit failed; offered again at the next commit');
    },
    applyBatch: (batch) =>
      applyBatch(batch, {
        decode: (m) => decodePspResultUpdate(m),
        traceIdOf: (m) => traceIdOf(headerValue(m.headers, 'traceparent')),
        process: (results) => defer(() => service.processPspResults(results)()),
        deadLetter: deadLetterPublisher(producer, config.PSP_RESULT_DLQ_TOPIC, () => new Date()),
        retry,
        unknownOrderRetries: config.UNKNOWN_ORDER_RETRIES,
        unknownOrderBackoff: { baseMs: 200, capMs: 5_000 },
      }),
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

  const done = lastValueFrom(pipeline$.pipe(tap(record)), { defaultValue: undefined }).then(
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
