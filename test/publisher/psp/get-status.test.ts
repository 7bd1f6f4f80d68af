import { describe, expect, it } from 'vitest';
import type { PspAnswer } from '../../../src/publisher/psp-client.js';
import { chargeOf, instant, noDeadline, orderId, simulators } from './simulators.js';

describe.each(simulators)('$psp simulator getStatus', ({ simulator }) => {
  it.each([{ pending: 1 }, { authRequired: 1 }, { capturePending: 1 }])(
    'settles a reference left at %o, with no declines configured, to SUCCESSFUL once and for all',
    async (rates) => {
      const sim = instant(rates, { seed: 3 });
      const psp = simulator(sim);
      const charged = await psp.charge(chargeOf('o-1', 1), noDeadline());
      expect(['PENDING', 'AUTH_REQUIRED', 'CAPTURE_PENDING']).toContain(charged.pspStatus);
      const reference = charged.pspReference ?? '';
      const [first, ...again] = await Promise.all(
        Array.from({ length: 5 }, () => psp.getStatus(reference, noDeadline())),
      );
      expect(first?.pspStatus).toBe('SUCCESSFUL');
      expect(first?.pspReference).toBe(reference);
      for (const answer of again) expect(answer).toEqual(first);
      expect(await psp.getStatus(reference, noDeadline())).toEqual(first);
      expect(await sim.memory.charges(orderId('o-1'))).toBe(1);
    },
  );

  it('settles the same references the same way under the same seed, and both ways across references', async () => {
    const settleAll = async (): Promise<PspAnswer[]> => {
      const psp = simulator(instant({ pending: 0.6, decline: 0.4 }, { seed: 11 }));
      const charged = await Promise.all(
        Array.from({ length: 200 }, (_, i) => psp.charge(chargeOf(`o-${i}`, 1), noDeadline())),
      );
      const pending = charged.filter((a) => a.pspStatus === 'PENDING');
      expect(pending.length).toBeGreaterThan(50);
      return Promise.all(pending.map((a) => psp.getStatus(a.pspReference ?? '', noDeadline())));
    };
    const [once, twice] = await Promise.all([settleAll(), settleAll()]);
    expect(twice).toEqual(once);
    const statuses = new Set(once.map((a) => a.pspStatus));
    expect(statuses).toEqual(new Set(['SUCCESSFUL', 'DECLINED']));
  });

  it('keeps answering the first answer to the charge key after the payment settled', async () => {
    const psp = simulator(instant({ pending: 1 }));
    const charged = await psp.charge(chargeOf('o-1', 1), noDeadline());
    await psp.getStatus(charged.pspReference ?? '', noDeadline());
    expect(await psp.charge(chargeOf('o-1', 1), noDeadline())).toEqual(charged);
  });

  it('answers a final reference with its answer, without a new charge', async () => {
    const sim = instant({});
    const psp = simulator(sim);
    const charged = await psp.charge(chargeOf('o-1', 1), noDeadline());
    expect(charged.pspStatus).toBe('SUCCESSFUL');
    expect(await psp.getStatus(charged.pspReference ?? '', noDeadline())).toEqual(charged);
    expect(await sim.memory.charges(orderId('o-1'))).toBe(1);
  });

  it('answers a declined reference with its decline', async () => {
    const psp = simulator(instant({ decline: 1 }));
    const charged = await psp.charge(chargeOf('o-1', 1), noDeadline());
    expect(charged.pspStatus).toBe('DECLINED');
    expect(await psp.getStatus(charged.pspReference ?? '', noDeadline())).toEqual(charged);
  });

  it('answers UNKNOWN with unknown_reference for a reference it never gave', async () => {
    const psp = simulator(instant({}));
    expect(await psp.getStatus('pi_nothing_8800000000000000', noDeadline())).toMatchObject({
      pspStatus: 'UNKNOWN',
      errorCode: 'unknown_reference',
    });
  });

  it("does not know another simulator's references, even sharing a memory", async () => {
    const sim = instant({ pending: 1 });
    const charged = await simulator(sim).charge(chargeOf('o-1', 1), noDeadline());
    const other = simulators.find((s) => s.simulator !== simulator)?.simulator ?? simulator;
    expect((await other(sim).getStatus(charged.pspReference ?? '', noDeadline())).errorCode).toBe('unknown_reference');
  });
});
