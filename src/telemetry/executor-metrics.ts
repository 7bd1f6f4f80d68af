import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { pspStatuses, type PspName } from '../codecs/index.js';

/** The PSPs the executor talks to. */
export const pspNames = ['stripe', 'adyen'] as const satisfies readonly PspName[];

/** The executor's metrics, on a registry of its own. Labels never hold an id; every label value starts at 0. */
export const createExecutorMetrics = (registry: Registry = new Registry()) => {
  collectDefaultMetrics({ register: registry });
  const published = new Counter({
    name: 'psp_results_published_total',
    help: 'PSP results recorded in the outbox for publication, by PSP and status',
    labelNames: ['psp', 'status'] as const,
    registers: [registry],
  });
  const charges = new Counter({
    name: 'psp_charges_total',
    help: 'Charges the simulated PSPs counted (at most one per payment order when idempotency holds)',
    labelNames: ['psp'] as const,
    registers: [registry],
  });
  for (const psp of pspNames) {
    charges.inc({ psp }, 0);
    for (const status of pspStatuses) published.inc({ psp, status }, 0);
  }
  // Set once the outbox is open. The gauge counts when scraped, not on a timer: a count is an index range
  // on MongoDB and a scan of the collection on the stand-in, paid only when someone looks.
  let countPending: (() => Promise<number | undefined>) | undefined;
  new Gauge({
    name: 'psp_outbox_pending',
    help: 'Result outbox entries not yet acknowledged by Kafka',
    registers: [registry],
    async collect() {
      const pending = await countPending?.();
      if (pending !== undefined) this.set(pending);
    },
  });
  return {
    registry,
    published,
    charges,
    countOutboxPendingWith: (count: () => Promise<number | undefined>): void => {
      countPending = count;
    },
  };
};

export type ExecutorMetrics = ReturnType<typeof createExecutorMetrics>;
