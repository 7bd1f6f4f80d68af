import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { PspAnswer } from '../../../src/publisher/psp-client.js';
import { simulation, type ChargeOutcome, type SimulationRates } from '../../../src/publisher/psp/index.js';
import { chargeOf, simulators, totalRate } from './simulators.js';

const rates: SimulationRates = {
  decline: 0.1,
  insufficientFunds: 0.05,
  timeout: 0.05,
  serverError: 0.06,
  rateLimit: 0.04,
  pending: 0.06,
  authRequired: 0.05,
  capturePending: 0.04,
};
const keys = 5_000;
const tolerance = 0.02;

/** What a settled call shows of its outcome. Adyen words capture-pending as Received: PENDING. */
const outcomeOf = (result: PromiseSettledResult<PspAnswer>): ChargeOutcome => {
  if (result.status === 'rejected') return 'timeout';
  const { pspStatus, errorCode } = result.value;
  switch (pspStatus) {
    case 'SUCCESSFUL':
      return 'success';
    case 'DECLINED':
      return errorCode === 'insufficient_funds' || errorCode === '12' ? 'insufficientFunds' : 'decline';
    case 'PSP_UNAVAILABLE':
      return errorCode === 'rate_limited' ? 'rateLimit' : 'serverError';
    case 'FAILED_TRANSIENT':
      return 'serverError';
    case 'PENDING':
      return 'pending';
    case 'AUTH_REQUIRED':
      return 'authRequired';
    case 'CAPTURE_PENDING':
      return 'capturePending';
    case 'FAILED':
    case 'TIMEOUT':
    case 'UNKNOWN':
      throw new Error(`unexpected ${pspStatus}`);
  }
};

const success = 1 - totalRate(rates);

describe.each(simulators)('$psp simulator rates', ({ psp, simulator }) => {
  it(`shows each outcome within ±${tolerance * 100} points of its rate over ${keys} keys`, async () => {
    const client = simulator(simulation({ seed: 2024, latencyMs: { min: 0, max: 0 }, rates }));
    const deadline = new AbortController();
    const calls = Array.from({ length: keys }, (_, i) => client.charge(chargeOf(`o-${i}`, 1), deadline.signal));
    // With no latency every answered call settles within microtasks; what is left stalls like a timeout.
    await setImmediate();
    deadline.abort(new Error('caller timeout'));
    const results = await Promise.allSettled(calls);
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBe(deadline.signal.reason);

    const counts = new Map<ChargeOutcome, number>();
    for (const result of results) counts.set(outcomeOf(result), (counts.get(outcomeOf(result)) ?? 0) + 1);
    const share = (outcome: ChargeOutcome) => (counts.get(outcome) ?? 0) / keys;
    const expected: Record<ChargeOutcome, number> = {
      ...rates,
      success,
      ...(psp === 'adyen' ? { pending: rates.pending + rates.capturePending, capturePending: 0 } : {}),
    };
    for (const [outcome, rate] of Object.entries(expected) as [ChargeOutcome, number][]) {
      expect(Math.abs(share(outcome) - rate), `${outcome}: ${share(outcome)} vs ${rate}`).toBeLessThanOrEqual(
        tolerance,
      );
    }
  });
});
