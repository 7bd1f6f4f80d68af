import { describe, expect, it } from 'vitest';
import { simulation } from '../../../src/publisher/psp/index.js';
import { chargeOf, instant, noDeadline, orderId, simulators } from './simulators.js';

describe.each(simulators)('$psp simulator idempotency', ({ simulator }) => {
  it('answers five concurrent calls with one key alike and charges once when it succeeds', async () => {
    const sim = instant({}, { latencyMs: { min: 0, max: 5 } });
    const psp = simulator(sim);
    const answers = await Promise.all(Array.from({ length: 5 }, () => psp.charge(chargeOf('o-1', 1), noDeadline())));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]?.pspStatus).toBe('SUCCESSFUL');
    expect(await sim.memory.charges(orderId('o-1'))).toBe(1);
  });

  it('never charges an order twice for one key, whatever the key answers', async () => {
    const sim = simulation({ latencyMs: { min: 0, max: 3 }, rates: { timeout: 0 } });
    const psp = simulator(sim);
    const orders = Array.from({ length: 200 }, (_, i) => `o-${i}`);
    await Promise.all(
      orders.map(async (order) => {
        const answers = await Promise.all(
          Array.from({ length: 5 }, () => psp.charge(chargeOf(order, 1), noDeadline())),
        );
        expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
        const charges = await sim.memory.charges(orderId(order));
        expect(charges).toBeLessThanOrEqual(1);
        expect(charges).toBe(answers[0]?.pspStatus === 'SUCCESSFUL' ? 1 : 0);
      }),
    );
  });

  it('gives the first answer again to later calls with the key, without a new charge', async () => {
    const sim = instant({});
    const psp = simulator(sim);
    const first = await psp.charge(chargeOf('o-1', 1), noDeadline());
    for (let i = 0; i < 3; i++) expect(await psp.charge(chargeOf('o-1', 1), noDeadline())).toEqual(first);
    expect(await sim.memory.charges(orderId('o-1'))).toBe(1);
  });

  it('may answer different attempts of one order differently', async () => {
    const psp = simulator(simulation({ latencyMs: { min: 0, max: 0 }, rates: { timeout: 0 } }));
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, attempt) => psp.charge(chargeOf('o-1', attempt), noDeadline())),
    );
    expect(new Set(answers.map((a) => a.pspStatus)).size).toBeGreaterThan(1);
    const references = answers.flatMap((a) => (a.pspReference === undefined ? [] : [a.pspReference]));
    expect(new Set(references).size).toBe(references.length);
  });

  it('charges once per successful attempt: a new key is a new payment', async () => {
    const sim = instant({});
    const psp = simulator(sim);
    await psp.charge(chargeOf('o-1', 1), noDeadline());
    await psp.charge(chargeOf('o-1', 2), noDeadline());
    expect(await sim.memory.charges(orderId('o-1'))).toBe(2);
  });

  it('charges once when a call aborted before the answer is retried with its key', async () => {
    const sim = instant({}, { latencyMs: { min: 50, max: 50 } });
    const psp = simulator(sim);
    await expect(psp.charge(chargeOf('o-1', 1), AbortSignal.timeout(5))).rejects.toThrow();
    const answer = await psp.charge(chargeOf('o-1', 1), noDeadline());
    expect(answer.pspStatus).toBe('SUCCESSFUL');
    expect(await sim.memory.charges(orderId('o-1'))).toBe(1);
  });
});

describe('a key reused for a different request', () => {
  it('gets a Stripe idempotency_error (UNKNOWN) and no charge', async () => {
    const sim = instant({});
    const psp = simulators[0].simulator(sim);
    await psp.charge(chargeOf('o-1', 1, 1000), noDeadline());
    const reused = await psp.charge(chargeOf('o-1', 1, 2000), noDeadline());
    expect(reused).toMatchObject({ pspStatus: 'UNKNOWN', errorCode: 'unrecognised_response' });
    expect(reused.errorMessage).toContain('idempotency_error');
    expect(await sim.memory.charges(orderId('o-1'))).toBe(1);
  });

  it('gets the first answer from Adyen, which matches on the key alone', async () => {
    const sim = instant({});
    const psp = simulators[1].simulator(sim);
    const first = await psp.charge(chargeOf('o-1', 1, 1000), noDeadline());
    expect(await psp.charge(chargeOf('o-1', 1, 2000), noDeadline())).toEqual(first);
    expect(await sim.memory.charges(orderId('o-1'))).toBe(1);
  });
});
