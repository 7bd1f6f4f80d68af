import { headerValue, type PspResultUpdateEvent } from '../codecs/index.js';
import { isRedelivery, outcomeLabel, type Outcome } from '../state/index.js';
import type { Logger } from './logger.js';
import { startBatchSpan, type Span } from './trace-context.js';
import { failureReasonOf, type ProcessedOutcome, type WorkerMetrics } from './worker-metrics.js';

/** A consumed record, as much of it as telemetry reads (the pipeline's `ConsumedMessage` is one). */
export interface RecordSeen {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
  readonly receivedAt: number;
}

/** A processed message, as much of it as telemetry reads (the pipeline's `Processed` is one). */
export type ProcessedSeen =
  | {
      readonly _tag: 'Applied';
      readonly message: RecordSeen;
      readonly event: PspResultUpdateEvent;
      readonly outcome: Outcome;
    }
  | {
      readonly _tag: 'DeadLettered';
      readonly letter: { readonly message: RecordSeen; readonly reason: string; readonly description: string };
      readonly event?: PspResultUpdateEvent;
    };

/**
 * A processed message's outcome as logs, the demo and the bench name it: its outcome's label, or
 * `dead_lettered`. (The metric counts a redelivery as `redelivered` instead.)
 */
export const processedLabel = (p: ProcessedSeen): ProcessedOutcome =>
  p._tag === 'Applied' ? outcomeLabel(p.outcome) : 'dead_lettered';

/** Told of every processed message, with its consume → write latency. */
export type ProcessedListener<P extends ProcessedSeen = ProcessedSeen> = (p: P, latencyMs: number) => void;

/** Watches one lane batch (the pipeline's `WorkerObserver`, seen from here). */
export interface BatchWatchOf<P> {
  readonly processed: (p: P) => void;
  readonly end: () => void;
}

export interface WorkerObserverOf<M extends RecordSeen, P extends ProcessedSeen> {
  readonly batch: (batch: readonly M[]) => BatchWatchOf<P>;
  readonly retry: (
    error: { readonly retryable: boolean; readonly code?: string; readonly message?: string },
    attempt: number,
    delayMs: number,
  ) => void;
  readonly commitFailed: (error: unknown) => void;
}

/**
 * The worker as seen from outside: each lane batch traced as one span linked to each record's trace, every
 * processed message counted and logged on one line with its own trace id, retries and failed commits
 * counted and logged.
 */
export const workerObserver = <M extends RecordSeen, P extends ProcessedSeen>(deps: {
  /** The topic named by the span of a batch that has no record (never in practice). */
  readonly topic: string;
  readonly logger: Logger;
  readonly metrics: WorkerMetrics;
  /** The trace id of a `traceparent` header, as the pipeline reads it. */
  readonly traceIdOf: (traceparent: string | undefined) => string | undefined;
  readonly onProcessed?: ProcessedListener<P> | undefined;
  /**
   * Dead letters published in the transaction of the commit that covers them are counted when it commits
   * (see `countPublished`), not when parked: a worker that loses the partition first never publishes them.
   */
  readonly deadLettersCountedWhenPublished?: boolean | undefined;
}): WorkerObserverOf<M, P> => {
  const { logger, metrics } = deps;

  /** Every processed message: metrics, and one log line with its own trace id and its batch's span. */
  const record = (p: P, batchSpan: Span): void => {
    const now = Date.now();
    const message = p._tag === 'Applied' ? p.message : p.letter.message;
    const outcome = processedLabel(p);
    // A record whose effect an earlier delivery already recorded counts once, as a redelivery.
    const redelivered = p._tag === 'Applied' && isRedelivery(p.outcome);
    if (p._tag === 'Applied' || deps.deadLettersCountedWhenPublished !== true) {
      metrics.processed.inc({ outcome: redelivered ? 'redelivered' : outcome });
      if (p._tag === 'DeadLettered') metrics.deadLettered.inc({ reason: p.letter.reason });
    }
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
      traceId: deps.traceIdOf(headerValue(message.headers, 'traceparent')) ?? batch.traceId,
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
  const batch = (messages: readonly M[]): BatchWatchOf<P> => {
    const first = messages[0];
    const span = startBatchSpan(
      `process ${first?.topic ?? deps.topic}`,
      () => messages.map((m) => headerValue(m.headers, 'traceparent')),
      {
        'messaging.system': 'kafka',
        'messaging.batch.message_count': messages.length,
        'messaging.destination.partition.id': String(first?.partition ?? ''),
      },
    );
    return {
      processed: (p) => {
        record(p, span);
      },
      end: () => {
        span.end();
      },
    };
  };

  return {
    batch,
    retry: (error, attempt, delayMs) => {
      metrics.retries.inc();
      metrics.failed.inc({ reason: failureReasonOf(error.code) });
      logger.warn({ code: error.code, attempt, delayMs, err: error.message }, 'transient failure, retrying');
    },
    commitFailed: (error) => {
      metrics.failed.inc({ reason: 'commit' });
      logger.warn({ err: error }, 'offset commit failed; offered again at the next commit');
    },
  };
};

/** Dead letters a transaction published: counted once each, as a DLQ reader sees them. */
export const countPublished = (metrics: WorkerMetrics, letters: readonly { readonly reason: string }[]): void => {
  for (const letter of letters) {
    metrics.processed.inc({ outcome: 'dead_lettered' });
    metrics.deadLettered.inc({ reason: letter.reason });
  }
};
