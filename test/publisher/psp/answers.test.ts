import { isRight } from 'fp-ts/lib/Either.js';
import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { PspResultUpdateEvent } from '../../../src/codecs/index.js';
import type { PspAnswer } from '../../../src/publisher/psp-client.js';
import { simulation } from '../../../src/publisher/psp/index.js';
import { chargeOf, simulators } from './simulators.js';

const referencePattern = { stripe: /^pi_[0-9A-Za-z]{24}$/, adyen: /^88\d{14}$/ } as const;

describe.each(simulators)('$psp simulator answers', ({ psp, simulator }) => {
  it("fit the result event's bounds, carry the PSP's reference format and no request data", async () => {
    const rates = { decline: 0.15, insufficientFunds: 0.1, serverError: 0.1, rateLimit: 0.1, pending: 0.1 };
    const client = simulator(simulation({ seed: 5, latencyMs: { min: 0, max: 0 }, rates }));
    const deadline = new AbortController();
    const calls = Array.from({ length: 1_000 }, (_, i) =>
      client.charge({ ...chargeOf(`o-${i}`, 1), amount: 987_654_321, currency: 'SEK' }, deadline.signal),
    );
    await setImmediate();
    deadline.abort(new Error('caller timeout'));
    const answers = (await Promise.allSettled(calls)).flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const statuses = answers.map((a) => a.pspStatus);
    const settled: PspAnswer[] = await Promise.all(
      answers
        .filter((a) => a.pspStatus === 'PENDING')
        .map((a) => client.getStatus(a.pspReference ?? '', new AbortController().signal)),
    );
    for (const answer of [...answers, ...settled]) {
      const event = { paymentOrderId: 'o-1', eventTime: '2024-01-01T00:00:00.000Z', ...answer };
      expect(isRight(PspResultUpdateEvent.decode(event)), JSON.stringify(answer)).toBe(true);
      if (answer.pspReference !== undefined) expect(answer.pspReference).toMatch(referencePattern[psp]);
      expect(JSON.stringify(answer)).not.toMatch(/987654321|SEK/);
    }
    expect(new Set(statuses).size).toBeGreaterThanOrEqual(5);
    const references = answers.flatMap((a) => (a.pspReference === undefined ? [] : [a.pspReference]));
    expect(new Set(references).size).toBe(references.length);
  });
});
