import { MongoClient } from 'mongodb';
import kafkajs from 'kafkajs';
import { Subject, from, lastValueFrom, tap, toArray } from 'rxjs';
import type { PaymentOrderId } from '../codecs/index.js';
import type { ConfigOf } from '../config/env-spec.js';
import type { executorEnv } from '../config/executor-env.js';
import { createKafka } from '../kafka/client.js';
import { producerPublish } from '../kafka/producer-publish.js';
import { ensureTopics } from '../kafka/topics.js';
import type { OutboxEntry } from '../publisher/outbox-entry.js';
import { drainOutbox, outboxRelay } from '../publisher/outbox-relay.js';
import { ensureOutboxIndexes, outboxCollection, outboxStore } from '../publisher/outbox-store.js';
import {
  executePaymentOrders,
  idempotencyKeyOf,
  type ExecutePaymentOrder,
} from '../publisher/payment-order-executor.js';
import type { PspName } from '../publisher/psp-client.js';
import { defaultSimulation, inMemoryIdempotency, pspClientFor } from '../publisher/psp/index.js';
import { createExecutorMetrics } from '../telemetry/executor-metrics.js';
import { startHealthServer } from '../telemetry/health-server.js';
import type { Logger } from '../telemetry/logger.js';
import { formatTraceparent, parseTraceparent, SpanKind, startSpanFrom } from '../telemetry/trace-context.js';

export type ExecutorConfig = ConfigOf<typeof executorEnv>;

/** Deterministic demo orders: the same seed and prefix always give the same commands. */
export const generatedCommands = (count: number, prefix: string): readonly ExecutePaymentOrder[] =>
  Array.from({ length: count }, (_, i) => ({
    paymentOrderId: `${prefix}-${i}` as PaymentOrderId,
    amount: 100 + ((i * 7919) % 99_900),
    currency: i % 3 === 0 ? 'USD' : 'EUR',
    psp: (i % 2 === 0 ? 'stripe' : 'adyen') satisfies PspName,
    attempt: 1,
  }));

/**
 * Executes the given commands (skipping those whose result is already in the outbox, so a restarted run
 * picks up where it was killed), publishes through the outbox, and resolves once the outbox is drained.
 */
export const runExecutorBatch = async (
  config: ExecutorConfig,
  commands: readonly ExecutePaymentOrder[],
  logger: Logger,
): Promise<{ readonly executed: number; readonly published: number }> => {
  const mongo = await new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 5_000 }).connect();
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-executor` }, logger);
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  });
  const closers: (() => Promise<void>)[] = [];
  try {
    const db = mongo.db(config.MONGO_DB);
    await ensureOutboxIndexes(db);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic: config.PSP_RESULT_TOPIC, partitions: config.PSP_RESULT_PARTITIONS }]);
    await admin.disconnect();
    await producer.connect();

    const outbox = outboxStore(db.collection<OutboxEntry>(outboxCollection));
    const retry = {
      backoff: { baseMs: 100, capMs: 5_000 },
      random: Math.random,
      onRetry: (error: { retryable: boolean }, attempt: number) => {
        logger.warn({ attempt, error }, 'executor: transient failure, retrying');
      },
    };
    const sim = {
      ...defaultSimulation,
      seed: config.PSP_SIM_SEED,
      latencyMs: { min: 0, max: config.PSP_SIM_LATENCY_MS },
      memory: inMemoryIdempotency(),
    };
    const clients = { stripe: pspClientFor('stripe', sim), adyen: pspClientFor('adyen', sim) };
    const drainDeps = {
      outbox,
      publish: producerPublish(producer),
      retry,
      now: () => new Date(),
      pageSize: config.OUTBOX_PAGE_SIZE,
    };

    const recorded = await outbox.recordedDedupKeys(commands.map((c) => `psp-result:${idempotencyKeyOf(c)}`))();
    if (recorded._tag === 'Left') throw new Error(recorded.left.message);
    const todo = commands.filter((c) => !recorded.right.has(`psp-result:${idempotencyKeyOf(c)}`));

    const metrics = createExecutorMetrics();
    const health = await startHealthServer({
      port: config.METRICS_PORT,
      registry: metrics.registry,
      ready: () => Promise.resolve(true),
    });
    const countPending = setInterval(() => {
      void outbox
        .countPending()()
        .then((n) => {
          if (n._tag === 'Right') metrics.outboxPending.set(n.right);
        });
    }, 1_000);
    countPending.unref();
    closers.push(async () => {
      clearInterval(countPending);
      await health.close();
    });

    const kick$ = new Subject<void>();
    const stop$ = new Subject<void>();
    const relayed$ = outboxRelay({ ...drainDeps, kick$, stop$, pollIntervalMs: config.OUTBOX_POLL_MS });
    const relaying = lastValueFrom(relayed$.pipe(toArray()), { defaultValue: [] });
    const executed = await lastValueFrom(
      from(todo).pipe(
        executePaymentOrders({
          pspFor: (name) => clients[name],
          outbox,
          resultTopic: config.PSP_RESULT_TOPIC,
          pspTimeoutMs: config.PSP_TIMEOUT_MS,
          concurrency: config.EXECUTOR_CONCURRENCY,
          now: () => new Date(),
          retry,
          traceExecution: (command) => {
            const span = startSpanFrom(`psp.charge ${command.psp}`, command.traceparent, {
              kind: SpanKind.CLIENT,
              attributes: {
                'psp.name': command.psp,
                'payment_order.id': command.paymentOrderId,
                'psp.attempt': command.attempt,
              },
            });
            return {
              traceparent: formatTraceparent(span.spanContext()),
              end: (answer) => {
                if (answer !== undefined) span.setAttribute('psp.status', answer.pspStatus);
                span.end();
              },
            };
          },
        }),
        tap((e) => {
          kick$.next();
          metrics.published.inc({ psp: e.command.psp, status: e.event.pspStatus });
          logger.info(
            {
              traceId: parseTraceparent(e.command.traceparent)?.traceId,
              spanId: parseTraceparent(e.command.traceparent)?.spanId,
              paymentOrderId: e.event.paymentOrderId,
              pspReference: e.event.pspReference,
              pspStatus: e.event.pspStatus,
              psp: e.command.psp,
              topic: e.entry.topic,
              outcome: 'recorded',
            },
            'psp result recorded in outbox',
          );
        }),
        toArray(),
      ),
    );
    stop$.next();
    const sentByRelay = (await relaying).reduce((a, n) => a + n, 0);
    const sentAtEnd = await lastValueFrom(drainOutbox(drainDeps).pipe(toArray()), { defaultValue: [] });
    return { executed: executed.length, published: sentByRelay + sentAtEnd.reduce((a, n) => a + n, 0) };
  } finally {
    await Promise.allSettled([producer.disconnect(), mongo.close(), ...closers.map((close) => close())]);
  }
};
