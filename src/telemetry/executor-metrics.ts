import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The executor's metrics, on a registry of its own. Labels never hold an id. */
export const createExecutorMetrics = (registry: Registry = new Registry()) => {
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    published: new Counter({
      name: 'psp_results_published_total',
      help: 'PSP results recorded in the outbox for publication, by PSP and status',
      labelNames: ['psp', 'status'] as const,
      registers: [registry],
    }),
    charges: new Counter({
      name: 'psp_charges_total',
      help: 'Charges the simulated PSPs counted (at most one per payment order when idempotency holds)',
      labelNames: ['psp'] as const,
      registers: [registry],
    }),
    outboxPending: new Gauge({
      name: 'psp_outbox_pending',
      help: 'Outbox entries not yet acknowledged by Kafka',
      registers: [registry],
    }),
  };
};

export type ExecutorMetrics = ReturnType<typeof createExecutorMetrics>;
