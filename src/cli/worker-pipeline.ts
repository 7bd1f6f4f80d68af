import type { Producer } from 'kafkajs';
import { defer, tap, type Observable } from 'rxjs';
import { decodePspResultUpdate, headerValue } from '../codecs/index.js';
import type { ConfigOf } from '../config/env-spec.js';
import type { workerEnv } from '../config/worker-env.js';
import { deadLetterPublisher } from '../kafka/dead-letter-publisher.js';
import {
  outcomeLabel,
  processPaymentService,
  resultMemory,
  type PaymentOrderStore,
  type RetryPolicy,
} from '../state/index.js';
import { applyBatch } from '../streams/apply-batch.js';
import type { Processed, SourceEvent } from '../streams/consumed-message.js';
import { OffsetLedger } from '../streams/offset-ledger.js';
import { pspResultUpdateConsumer, type ConsumerControl } from '../streams/psp-result-update-consumer.js';
import type { Logger } from '../telemetry/logger.js';
import { SpanKind, startSpanFrom } from '../telemetry/trace-context.js';
import type { WorkerMetrics } from '../telemetry/worker-metrics.js';

export type WorkerConfig = ConfigOf<typeof workerEnv>;

/** Told of every processed message, with its consume → write latency. */
export type ProcessedListener = (p: Processed, latencyMs: number) => void;

/** `traceparent` = version-traceid-spanid-flags; the trace id is what logs and the audit trail carry. */
export const traceIdOf = (traceparent: string | undefined): string | undefined => traceparent?.split('-')[1];

export const workerPolicy = (config: WorkerConfig): RetryPolicy => ({
  maxAttempts: config.MAX_ATTEMPTS,
  schedule: {
    retryBackoff: { baseMs: config.RETRY_BASE_MS, capMs: config.RETRY_CAP_MS },
    checkDelayMs: config.CHECK_DELAY_MS,
    random: Math.random,
  },
});

/**
 * The PspResultUpdateConsumer as wired in production, over any store: the source's records through the
 * pipeline into `processPspResults`, dead letters to the DLQ, and every processed message recorded as a
 * span, metrics and one log line.
 */
export const workerPipeline = (deps: {
  readonly config: WorkerConfig;
  readonly logger: Logger;
  readonly metrics: WorkerMetrics;
  readonly events$: Observable<SourceEvent>;
  readonly control: ConsumerControl;
  readonly producer: Producer;
  readonly store: PaymentOrderStore;
  readonly onProcessed?: ProcessedListener | undefined;
}): Observable<Processed> => {
  const { config, logger, metrics } = deps;
  const service = processPaymentService({
    store: deps.store,
    policy: workerPolicy(config),
    now: () => new Date(),
    // ~100k recent event keys and terminal orders (tens of MiB): spares the read for a repeat or a late result
    memory: resultMemory(100_000),
  });
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
    deps.onProcessed?.(p, now - message.receivedAt);
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

  return pspResultUpdateConsumer(deps.events$, {
    control: deps.control,
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
        deadLetter: deadLetterPublisher(deps.producer, config.PSP_RESULT_DLQ_TOPIC, () => new Date()),
        retry,
        unknownOrderRetries: config.UNKNOWN_ORDER_RETRIES,
        unknownOrderBackoff: { baseMs: 200, capMs: 5_000 },
      }),
  }).pipe(tap(record));
};
