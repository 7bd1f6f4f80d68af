import * as E from 'fp-ts/lib/Either.js';
import kafkajs, { type Kafka } from 'kafkajs';
import { defer, lastValueFrom, tap } from 'rxjs';
import type { WorkerConfig } from '../src/cli/run-worker.js';
import { decodePspResultUpdate, headerValue } from '../src/codecs/index.js';
import { kafkaSource, type KafkaSource } from '../src/kafka/consumer-source.js';
import { deadLetterPublisher } from '../src/kafka/dead-letter-publisher.js';
import { outcomeLabel, processPaymentService, type PaymentOrderStore } from '../src/state/index.js';
import { workerPolicy } from './context.js';
import { applyBatch } from '../src/streams/apply-batch.js';
import type { Processed } from '../src/streams/consumed-message.js';
import { OffsetLedger } from '../src/streams/offset-ledger.js';
import { pspResultUpdateConsumer, type ConsumerControl } from '../src/streams/psp-result-update-consumer.js';
import type { Logger } from '../src/telemetry/logger.js';
import { SpanKind, startSpanFrom } from '../src/telemetry/trace-context.js';
import { createWorkerMetrics } from '../src/telemetry/worker-metrics.js';

/**
 * The worker of `src/cli/run-worker.ts`, stage for stage and with the same settings, but over any
 * `PaymentOrderStore` (the in-memory one): kafkajs consumer → kafkaSource → pspResultUpdateConsumer
 * (lanes, micro-batches, ledger, commits) → applyBatch (decode, retries, DLQ through a real producer) →
 * processPaymentService with the worker's retry policy and schedule. The per-result span, metrics and log
 * line are kept, so the CPU it spends per event is the worker's. Left out, being MongoDB-bound or periodic
 * rather than per event: the MongoDB connection and indexes, the retry dispatcher and its command outbox,
 * the consumer-lag gauge refresh, the HTTP server.
 * Keep in step with run-worker.ts (it cannot take a store today: see bench/README.md).
 */
export interface InProcessWorker {
  readonly source: KafkaSource;
  readonly done: Promise<void>;
  /** Stops fetching, drains, disconnects. */
  readonly stop: () => Promise<void>;
}

export interface InProcessWorkerOptions {
  readonly kafka: Kafka;
  readonly config: WorkerConfig;
  readonly store: PaymentOrderStore;
  readonly logger: Logger;
  /** Every processed message, once its write resolved (or it was dead-lettered). */
  readonly onProcessed?: (p: Processed, now: number) => void;
  readonly onFirstMessage?: (now: number) => void;
  /** Every message the source hands to the pipeline. */
  readonly onMessage?: () => void;
  /** The consumer joined its group (fetching starts): performance.now(). */
  readonly onJoined?: (now: number) => void;
  /** Offsets Kafka acknowledged, as [partition, nextOffset]. */
  readonly onCommitted?: (offsets: ReadonlyArray<readonly [number, number]>) => void;
}

const traceIdOf = (traceparent: string | undefined): string | undefined => traceparent?.split('-')[1];

export const startInProcessWorker = async (opts: InProcessWorkerOptions): Promise<InProcessWorker> => {
  const { kafka, config, logger } = opts;
  const metrics = createWorkerMetrics();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
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
  const removeJoinListener = consumer.on(consumer.events.GROUP_JOIN, () => {
    opts.onJoined?.(performance.now());
  });

  const service = processPaymentService({ store: opts.store, policy: workerPolicy(config), now: () => new Date() });
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
    opts.onProcessed?.(p, now);
  };

  const control: ConsumerControl = {
    ...source.control,
    commit: (offsets) =>
      source.control.commit(offsets).pipe(
        tap((result) => {
          if (E.isRight(result)) opts.onCommitted?.(offsets);
        }),
      ),
  };
  let first = true;
  const events$ = source.events$.pipe(
    tap((e) => {
      if (e._tag !== 'Message') return;
      if (first) {
        first = false;
        opts.onFirstMessage?.(performance.now());
      }
      opts.onMessage?.();
    }),
  );

  const pipeline$ = pspResultUpdateConsumer(events$, {
    control,
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

  const disconnect = async (): Promise<void> => {
    removeJoinListener();
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
  };
  const done = lastValueFrom(pipeline$.pipe(tap(record)), { defaultValue: undefined }).then(
    disconnect,
    async (e: unknown) => {
      await disconnect();
      throw e;
    },
  );
  // A failure before stop() is awaited must not surface as an unhandled rejection.
  done.catch(() => undefined);
  return {
    source,
    done,
    stop: async () => {
      await source.stop();
      await done;
    },
  };
};
