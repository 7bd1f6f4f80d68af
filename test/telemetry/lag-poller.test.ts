import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startLagPoller } from '../../src/telemetry/lag-poller.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { createWorkerMetrics } from '../../src/telemetry/worker-metrics.js';

const logger = createLogger({ name: 'test', level: 'silent' });

const lagOf = async (metrics: ReturnType<typeof createWorkerMetrics>) =>
  (await metrics.consumerGroupLag.get()).values.map((v) => [v.labels.partition, v.value]);

describe('startLagPoller', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sets the lag gauge per partition and counts the orders created after its first look, every interval', async () => {
    const metrics = createWorkerMetrics();
    const orders = [100, 104, 104, 110];
    const stop = startLagPoller({
      lags: () =>
        Promise.resolve([
          { partition: 0, lag: 3 },
          { partition: 1, lag: 0 },
        ]),
      countOrders: () => Promise.resolve(orders.shift() ?? 110),
      group: 'g',
      topic: 't',
      intervalMs: 1_000,
      metrics,
      logger,
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(await lagOf(metrics)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await lagOf(metrics)).toEqual([
      ['0', 3],
      ['1', 0],
    ]);
    // 100 is the baseline, not a burst of creations
    expect((await metrics.ordersCreated.get()).values[0]?.value ?? 0).toBe(0);
    await vi.advanceTimersByTimeAsync(3_000);
    expect((await metrics.ordersCreated.get()).values[0]?.value).toBe(10);
    stop();
  });

  it('keeps polling after a failed refresh, and polls no more once stopped', async () => {
    let calls = 0;
    const stop = startLagPoller({
      lags: () => {
        calls++;
        return calls === 1 ? Promise.reject(new Error('broker away')) : Promise.resolve([]);
      },
      countOrders: () => Promise.resolve(0),
      group: 'g',
      topic: 't',
      intervalMs: 10,
      metrics: createWorkerMetrics(),
      logger,
    });
    await vi.advanceTimersByTimeAsync(20);
    expect(calls).toBe(2);
    stop();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toBe(2);
  });
});
