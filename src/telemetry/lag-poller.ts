import type { Logger } from './logger.js';
import type { WorkerMetrics } from './worker-metrics.js';

export interface LagPollerDeps {
  /** Lag of each partition of the consumed topic for the group (Kafka's admin client, injected). */
  readonly lags: () => Promise<readonly { readonly partition: number; readonly lag: number }[]>;
  /** How many orders the store holds (an estimate is enough: orders are never deleted). */
  readonly countOrders: () => Promise<number>;
  readonly group: string;
  readonly topic: string;
  readonly intervalMs: number;
  readonly metrics: Pick<WorkerMetrics, 'consumerGroupLag' | 'ordersCreated'>;
  readonly logger: Logger;
}

/**
 * Every interval: the consumer-group lag gauge per partition, and the orders created since this worker
 * started. A failed refresh is logged at debug and tried again at the next tick. Returns the stop.
 */
export const startLagPoller = (deps: LagPollerDeps): (() => void) => {
  const { metrics } = deps;
  // Orders are never deleted, so the growth of their count in the store is the orders created since this
  // worker started, whoever created them (the first count is the baseline, not a burst of creations).
  let ordersCounted: number | undefined;
  const refreshLag = async (): Promise<void> => {
    const [lags, orders] = await Promise.all([deps.lags(), deps.countOrders()]);
    for (const { partition, lag } of lags) {
      metrics.consumerGroupLag.set({ consumergroup: deps.group, topic: deps.topic, partition: String(partition) }, lag);
    }
    if (ordersCounted !== undefined && orders > ordersCounted) metrics.ordersCreated.inc(orders - ordersCounted);
    ordersCounted = Math.max(orders, ordersCounted ?? 0);
  };
  const lagTimer = setInterval(() => {
    refreshLag().catch((error: unknown) => {
      deps.logger.debug({ err: error }, 'consumer lag refresh failed');
    });
  }, deps.intervalMs);
  lagTimer.unref();
  return () => {
    clearInterval(lagTimer);
  };
};
