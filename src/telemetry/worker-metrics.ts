import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DecodeFailureReason } from '../codecs/index.js';
import { outcomeLabels, type OutcomeLabel } from '../state/index.js';

/**
 * Every value the `outcome` label takes: each outcome's label (`outcomeVocabulary`, src/state/outcome.ts),
 * then `redelivered` for a redelivered record whose effect was already recorded, and `dead_lettered`.
 */
export type ProcessedOutcome = OutcomeLabel | 'redelivered' | 'dead_lettered';
export const processedOutcomes: readonly ProcessedOutcome[] = [...outcomeLabels, 'redelivered', 'dead_lettered'];

/** Every reason a PSP result is dead-lettered for (the `dlq-reason` header). */
export const deadLetterReasons = [
  'missing-key',
  'empty-value',
  'value-too-large',
  'invalid-json',
  'unsupported-schema-version',
  'schema-violation',
  'key-mismatch',
  'unknown-order',
] as const satisfies readonly (DecodeFailureReason | 'unknown-order')[];

/** Bounded reasons of failed attempts: the store's own codes, any Kafka call, and the offset commit. */
export const failureReasons = [
  'store-unreachable',
  'store-transient',
  'store-contention',
  'store-closed',
  'store-other',
  'kafka',
  'commit',
] as const;
export type FailureReason = (typeof failureReasons)[number];

/** A failed call's code as a bounded label value (kafkajs' error types and store rejections are many). */
export const failureReasonOf = (code: string | undefined): FailureReason => {
  const known = failureReasons.find((r) => r === code);
  if (known !== undefined) return known;
  return code?.startsWith('store-') === true ? 'store-other' : 'kafka';
};

/**
 * Latency buckets from 1 ms to 1 h: a quantile is interpolated inside a bucket, so the top finite bucket
 * must lie past anything an operator wants to read (a backlog drained after an outage takes minutes).
 */
export const latencyBuckets = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600,
];

/** Every label value starts at 0, so `rate()` and `increase()` see the first step after a (re)start. */
const zeroed = <L extends string>(counter: Counter<L>, label: L, values: readonly string[]): Counter<L> => {
  for (const value of values) counter.inc({ [label]: value } as Partial<Record<L, string>>, 0);
  return counter;
};

/**
 * The worker's metrics, on a registry of its own (never the global one). Labels never hold an id. One
 * prefix: `psp_results_…` for what happens to PSP results, `psp_retries_…`/`psp_retry_…` for retry
 * scheduling, `psp_orders_…` for orders.
 */
export const createWorkerMetrics = (registry: Registry = new Registry()) => {
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    processed: zeroed(
      new Counter({
        name: 'psp_results_processed_total',
        help: 'PSP result records processed, by outcome (a redelivered record already recorded: redelivered)',
        labelNames: ['outcome'] as const,
        registers: [registry],
      }),
      'outcome',
      processedOutcomes,
    ),
    deadLettered: zeroed(
      new Counter({
        name: 'psp_results_dead_lettered_total',
        help: 'PSP result records sent to the dead-letter topic, by reason (the dlq-reason header)',
        labelNames: ['reason'] as const,
        registers: [registry],
      }),
      'reason',
      deadLetterReasons,
    ),
    failed: zeroed(
      new Counter({
        name: 'psp_results_failed_total',
        help: 'Failed attempts to process PSP results (each retried), by reason',
        labelNames: ['reason'] as const,
        registers: [registry],
      }),
      'reason',
      failureReasons,
    ),
    retries: new Counter({
      name: 'psp_results_retries_total',
      help: 'Retries of store or Kafka calls after a transient error',
      registers: [registry],
    }),
    processingSeconds: new Histogram({
      name: 'psp_results_processing_seconds',
      help: 'From consumed to write resolved',
      buckets: latencyBuckets,
      registers: [registry],
    }),
    eventLagSeconds: new Histogram({
      name: 'psp_results_event_lag_seconds',
      help: 'From the event time to write resolved',
      buckets: latencyBuckets,
      registers: [registry],
    }),
    retriesScheduled: new Counter({
      name: 'psp_retries_scheduled_total',
      help: 'Payment orders moved to RETRY_PENDING with a retry scheduled',
      registers: [registry],
    }),
    dispatchDelaySeconds: new Histogram({
      name: 'psp_retry_dispatch_delay_seconds',
      help: 'From a command coming due to its dispatch',
      buckets: latencyBuckets,
      registers: [registry],
    }),
    ordersCreated: new Counter({
      name: 'psp_orders_created_total',
      help: 'Payment orders created since this worker started (the growth of their count in the store, where orders are never deleted); every worker counts them all: aggregate with max',
      registers: [registry],
    }),
    consumerGroupLag: new Gauge({
      name: 'psp_worker_consumergroup_lag',
      help: "The group's uncommitted messages per partition as this worker sees them (kafka-exporter's kafka_consumergroup_lag is the reference; aggregate with max)",
      labelNames: ['consumergroup', 'topic', 'partition'] as const,
      registers: [registry],
    }),
  };
};

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
