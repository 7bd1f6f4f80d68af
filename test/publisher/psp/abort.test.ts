import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { abortableDelay } from '../../../src/publisher/psp/index.js';
import { chargeOf, instant, noDeadline, orderId, simulators } from './simulators.js';

describe.each(simulators)('$psp simulator under an aborting signal', ({ simulator }) => {
  it('rejects promptly with the signal reason and charges nothing', async () => {
    const sim = instant({}, { latencyMs: { min: 1000, max: 1000 } });
    const psp = simulator(sim);
    const signal = AbortSignal.timeout(20);
    const started = performance.now();
    const error: unknown = await psp.charge(chargeOf('o-1', 1), signal).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(500);
    expect(error).toBe(signal.reason);
    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect(await sim.memory.charges(orderId('o-1'))).toBe(0);
  });

  it('rejects at once with the reason of a signal aborted before the call', async () => {
    const psp = simulator(instant({}, { latencyMs: { min: 1000, max: 1000 } }));
    const reason = new Error('gave up');
    await expect(psp.charge(chargeOf('o-1', 1), AbortSignal.abort(reason))).rejects.toBe(reason);
    await expect(psp.getStatus('any', AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('stalls a timeout until the caller gives up, stores nothing and charges nothing', async () => {
    const sim = instant({ timeout: 1 });
    const psp = simulator(sim);
    const signal = AbortSignal.timeout(30);
    const started = performance.now();
    await expect(psp.charge(chargeOf('o-1', 1), signal)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(await sim.memory.charges(orderId('o-1'))).toBe(0);
    expect(await sim.memory.get(`${psp.name}:charge:o-1:1`)).toBeUndefined();
  });

  it('aborts getStatus during its latency too', async () => {
    const psp = simulator(instant({}, { latencyMs: { min: 1000, max: 1000 } }));
    const signal = AbortSignal.timeout(20);
    await expect(psp.getStatus('any', signal)).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});

describe('abortableDelay', () => {
  it('resolves after the delay when nothing aborts', async () => {
    const started = performance.now();
    await abortableDelay(20, noDeadline());
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
  });

  it('rejects with the signal reason, not an AbortError', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const delay = abortableDelay(1000, controller.signal);
    controller.abort(reason);
    await expect(delay).rejects.toBe(reason);
  });
});
