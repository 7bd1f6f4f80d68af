import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The worker's metrics, on a registry of its own (never the global one). Labels never hold an id. */
export const createWorkerMetrics = (registry: Registry = new Registry()) => {
  collectDefaultMetrics({ register: registry });
  const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
  return {
    registry,
    processed: new Counter({
      name: 'psp_results_processed_total',
      help: 'PSP results processed, by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    failed: new Counter({
      name: 'psp_results_failed_total',
      help: 'Failed attempts to process PSP results, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    retries: new Counter({
      name: 'psp_results_retries_total',
      help: 'Retries of store or Kafka calls after a transient error',
      registers: [registry],
    }),
    processingSeconds: new Histogram({
      name: 'psp_result_processing_seconds',
      help: 'From consumed to write resolved',
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
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    consumerGroupLag: new Gauge({
      name: 'kafka_consumergroup_lag',
      help: 'Messages the consumer group has not committed yet, per partition (as kafka-exporter names it)',
      labelNames: ['consumergroup', 'topic', 'partition'] as const,
      registers: [registry],
    }),
    eventLagSeconds: new Histogram({
      name: 'psp_result_event_lag_seconds',
      help: 'From the event time to write resolved',
      buckets: latencyBuckets,
      registers: [registry],
    }),
  };
};

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;
