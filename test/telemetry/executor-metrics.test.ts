import { describe, expect, it } from 'vitest';
import { createExecutorMetrics } from '../../src/telemetry/executor-metrics.js';

const pendingIn = async (metrics: ReturnType<typeof createExecutorMetrics>): Promise<string | undefined> =>
  (await metrics.registry.metrics()).split('\n').find((line) => line.startsWith('psp_outbox_pending '));

describe("the executor's metrics", () => {
  it('counts the pending outbox entries when scraped, and only then', async () => {
    const metrics = createExecutorMetrics();
    let counts = 0;
    let pending = 7;
    metrics.countOutboxPendingWith(() => {
      counts += 1;
      return Promise.resolve(pending);
    });
    expect(counts).toBe(0);
    expect(await pendingIn(metrics)).toBe('psp_outbox_pending 7');
    pending = 0;
    expect(await pendingIn(metrics)).toBe('psp_outbox_pending 0');
    expect(counts).toBe(2);
  });

  it('keeps the last count when a count fails, and reports 0 before the outbox is open', async () => {
    const metrics = createExecutorMetrics();
    expect(await pendingIn(metrics)).toBe('psp_outbox_pending 0');
    let answer: number | undefined = 3;
    metrics.countOutboxPendingWith(() => Promise.resolve(answer));
    expect(await pendingIn(metrics)).toBe('psp_outbox_pending 3');
    answer = undefined;
    expect(await pendingIn(metrics)).toBe('psp_outbox_pending 3');
  });
});
