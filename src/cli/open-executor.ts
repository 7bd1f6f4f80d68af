import type { Kafka, Producer } from 'kafkajs';
import type { MongoClient } from 'mongodb';
import { createKafka, idempotentProducer, kafkaConnectionOf } from '../kafka/client.js';
import { producerPublish } from '../kafka/producer-publish.js';
import { within } from '../operators/within.js';
import { ensureOutboxIndexes } from '../outbox/outbox-store.js';
import { startExecutorService, type ExecutorService } from '../publisher/executor-service.js';
import type { IdempotencyMemory } from '../publisher/psp/index.js';
import { createExecutorMetrics } from '../telemetry/executor-metrics.js';
import { startHealthServer } from '../telemetry/health-server.js';
import type { Logger } from '../telemetry/logger.js';
import { closeBoundMs } from './bounded-run.js';
import { connected, connectStore, topicsEnsured } from './connect.js';
import { countOutboxPending, executorTelemetry } from './executor-telemetry.js';
import { executorPolicies, type ExecutorConfig, type ExecutorPolicies } from './executor-policies.js';

export interface OpenExecutor {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly policies: ExecutorPolicies;
  readonly service: ExecutorService;
  readonly metricsPort: number;
  /** Closes the producer, MongoDB and the health server, each bounded: a dead peer cannot hold the exit. */
  readonly closeClients: () => Promise<void>;
}

/**
 * Connections, PSPs, outbox and relay: what both ways of running the executor share. The health server
 * first, then MongoDB and Kafka, each retried with backoff until it answers or `signal` aborts the start-up.
 */
export const openExecutor = async (
  config: ExecutorConfig,
  logger: Logger,
  opts: {
    readonly signal?: AbortSignal | undefined;
    readonly ready?: () => Promise<boolean>;
    /** What the simulated PSPs remember; their own MongoDB collections unless given (the one-process demo). */
    readonly simulatorMemory?: IdempotencyMemory | undefined;
  } = {},
): Promise<OpenExecutor> => {
  const metrics = createExecutorMetrics();
  const policies = executorPolicies();
  const health = await startHealthServer({
    port: config.EXECUTOR_METRICS_PORT,
    registry: metrics.registry,
    ready: opts.ready ?? (() => Promise.resolve(true)),
  });
  const retry = { logger, signal: opts.signal };
  // What is open so far, closed again when start-up is aborted or fails for good.
  let mongo: MongoClient | undefined;
  let producer: Producer | undefined;
  const closeClients = async (): Promise<void> => {
    await within(closeBoundMs, Promise.allSettled([producer?.disconnect(), mongo?.close(), health.close()]));
  };
  try {
    mongo = await connectStore(
      { url: config.MONGO_URL, db: config.MONGO_DB, options: { serverSelectionTimeoutMS: 5_000 } },
      ensureOutboxIndexes,
      retry,
    );
    const kafka = createKafka(kafkaConnectionOf(config, '-executor'), logger);
    await topicsEnsured(
      kafka,
      [
        { topic: config.PSP_RESULT_TOPIC, partitions: config.PSP_RESULT_PARTITIONS },
        { topic: config.PSP_COMMAND_TOPIC, partitions: config.PSP_RESULT_PARTITIONS },
        { topic: config.PSP_COMMAND_DLQ_TOPIC, partitions: 1 },
      ],
      retry,
    );
    producer = idempotentProducer(kafka);
    await connected('kafka producer', producer, retry);
    const service = startExecutorService({
      db: mongo.db(config.MONGO_DB),
      publish: producerPublish(producer),
      resultTopic: config.PSP_RESULT_TOPIC,
      pspTimeoutMs: config.PSP_TIMEOUT_MS,
      concurrency: config.EXECUTOR_CONCURRENCY,
      outbox: {
        leaseMs: config.OUTBOX_LEASE_MS,
        pageSize: config.OUTBOX_PAGE_SIZE,
        pollIntervalMs: config.OUTBOX_POLL_MS,
      },
      simulation: {
        profile: config.PSP_SIM_PROFILE,
        seed: config.PSP_SIM_SEED,
        latencyMaxMs: config.PSP_SIM_LATENCY_MS,
        memory: opts.simulatorMemory,
      },
      policies,
      telemetry: executorTelemetry(logger, metrics),
    });
    countOutboxPending(metrics, service.outbox);
    return { kafka, producer, policies, service, metricsPort: health.port, closeClients };
  } catch (error) {
    await closeClients();
    throw error;
  }
};
