import type { Producer } from 'kafkajs';
import { defer, finalize, tap, type Observable } from 'rxjs';
import { decodePspResultUpdate, headerValue } from '../codecs/index.js';
import type { ConfigOf } from '../config/env-spec.js';
import type { workerEnv } from '../config/worker-env.js';
import { deadLetterPublisher } from '../kafka/dead-letter-publisher.js';
import type { DeadLetterTransactions } from '../kafka/dead-letter-transactions.js';
import {
  outcomeLabel,
  processPaymentService,
  resultMemory,
  type PaymentOrderStore,
  type RetryPolicy,
} from '../state/index.js';
import { isRedelivery } from '../state/outcome.js';
import { applyBatch } from '../streams/apply-batch.js';
import type { ConsumedMessage, Processed, SourceEvent } from '../streams/consumed-message.js';
import { OffsetLedger } from '../streams/offset-ledger.js';
import { pspResultUpdateConsumer, type ConsumerControl } from '../streams/psp-result-update-consumer.js';
import type { Logger } from '../telemetry/logger.js';
import { startBatchSpan, type Span } from '../telemetry/trace-context.js';
import { failureReasonOf, type WorkerMetrics } from '../telemetry/worker-metrics.js';

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
  /** Dead letters held for the commit that covers them (one transaction); absent: sent at once. */
  readonly deadLetters?: Pick<DeadLetterTransactions, 'park' | 'commit'> | undefined;
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
      metrics.failed.inc({ reason: failureReasonOf(error.code) });
      logger.warn({ code: error.code, attempt, delayMs, err: error.message }, 'transient failure, retrying');
    },
  };

  /** Every processed message: metrics, and one log line with its own trace id and its batch's span. */
  const record = (p: Processed, batchSpan: Span): void => {
    const now = Date.now();
    const message = p._tag === 'Applied' ? p.message : p.letter.message;
    const outcome = p._tag === 'Applied' ? outcomeLabel(p.outcome) : 'dead_lettered';
    // A record whose effect an earlier delivery already recorded counts once, as a redelivery.
    const redelivered = p._tag === 'Applied' && isRedelivery(p.outcome);
    metrics.processed.inc({ outcome: redelivered ? 'redelivered' : outcome });
    if (p._tag === 'DeadLettered') metrics.deadLettered.inc({ reason: p.letter.reason });
    if (!redelivered && p._tag === 'Applied' && p.outcome._tag === 'Applied' && p.outcome.to === 'RETRY_PENDING') {
      metrics.retriesScheduled.inc();
    }
    metrics.processingSeconds.observe((now - message.receivedAt) / 1000);
    deps.onProcessed?.(p, now - message.receivedAt);
    const event = p.event;
    if (event !== undefined) metrics.eventLagSeconds.observe(Math.max(0, now - event.eventTime.getTime()) / 1000);
    const dead = p._tag === 'DeadLettered';
    if (!logger.isLevelEnabled(dead ? 'warn' : 'info')) return;
    const batch = batchSpan.spanContext();
    const line = {
      // A record without a trace of its own is traced by its batch's span.
      traceId: traceIdOf(headerValue(message.headers, 'traceparent')) ?? batch.traceId,
      spanId: batch.spanId,
      paymentOrderId: event?.paymentOrderId,
      pspReference: event?.pspReference,
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      outcome,
      ...(dead ? { reason: p.letter.reason, description: p.letter.description } : {}),
    };
    if (dead) logger.warn(line, 'psp result dead-lettered');
    else logger.info(line, 'psp result processed');
  };

  /** One lane batch, traced as one span linked to each record's trace. */
  const applyTraced = (batch: readonly ConsumedMessage[]): Observable<Processed> =>
    defer(() => {
      const first = batch[0];
      const span = startBatchSpan(
        `process ${first?.topic ?? config.PSP_RESULT_TOPIC}`,
        () => batch.map((m) => headerValue(m.headers, 'traceparent')),
        {
          'messaging.system': 'kafka',
          'messaging.batch.message_count': batch.length,
          'messaging.destination.partition.id': String(first?.partition ?? ''),
        },
      );
      return applyBatch(batch, {
        decode: (m) => decodePspResultUpdate(m),
        traceIdOf: (m) => traceIdOf(headerValue(m.headers, 'traceparent')),
        process: (results) => defer(() => service.processPspResults(results)()),
        deadLetter,
        retry,
        unknownOrderRetries: config.UNKNOWN_ORDER_RETRIES,
        unknownOrderBackoff: { baseMs: 200, capMs: 5_000 },
      }).pipe(
        tap((p) => {
          record(p, span);
        }),
        finalize(() => {
          span.end();
        }),
      );
    });
  const deadLetter =
    deps.deadLetters?.park ?? deadLetterPublisher(deps.producer, config.PSP_RESULT_DLQ_TOPIC, () => new Date());

  return pspResultUpdateConsumer(deps.events$, {
    control: deps.deadLetters === undefined ? deps.control : { ...deps.control, commit: deps.deadLetters.commit },
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
    applyBatch: applyTraced,
  });
};
