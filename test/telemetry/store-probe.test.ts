import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { within } from '../../src/operators/within.js';
import { storeProbe } from '../../src/telemetry/store-probe.js';

const oneSecond = (ping: Promise<boolean>) => within(1_000, ping);

describe('storeProbe', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says ready when the store answers its ping, and not ready when the ping fails', async () => {
    expect(await storeProbe(() => Promise.resolve({ ok: 1 }), oneSecond)()).toBe(true);
    expect(await storeProbe(() => Promise.reject(new Error('not primary')), oneSecond)()).toBe(false);
  });

  it('says not ready after 1 s of a frozen store, sharing the one unanswered ping between probes', async () => {
    let pings = 0;
    let answer!: () => void;
    const probe = storeProbe(() => {
      pings++;
      return new Promise<void>((resolve) => {
        answer = resolve;
      });
    }, oneSecond);
    const first = probe();
    const second = probe();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await first).toBe(false);
    expect(await second).toBe(false);
    expect(pings).toBe(1);
    // Answered at last: the next probe pings again and is ready.
    answer();
    await vi.advanceTimersByTimeAsync(0);
    const third = probe();
    answer();
    expect(await third).toBe(true);
    expect(pings).toBe(2);
  });
});
