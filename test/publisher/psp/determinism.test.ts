import { describe, expect, it } from 'vitest';
import type { PspAnswer } from '../../../src/publisher/psp-client.js';
import { simulation } from '../../../src/publisher/psp/index.js';
import { chargeOf, noDeadline, simulators } from './simulators.js';

const attempts = Array.from({ length: 300 }, (_, i) => chargeOf(`o-${i % 100}`, Math.floor(i / 100)));

// Timeouts stall until aborted: left out here, the rates test counts them.
const settings = (seed: number, maxLatencyMs = 4) =>
  simulation({ seed, latencyMs: { min: 0, max: maxLatencyMs }, rates: { timeout: 0 } });

describe.each(simulators)('$psp simulator determinism', ({ simulator }) => {
  it('answers the same for the same keys under the same seed, whatever the call order', async () => {
    const forward = simulator(settings(7));
    const backward = simulator(settings(7));
    const [inOrder, reversed] = await Promise.all([
      Promise.all(attempts.map((request) => forward.charge(request, noDeadline()))),
      Promise.all([...attempts].reverse().map((request) => backward.charge(request, noDeadline()))),
    ]);
    expect(reversed.reverse()).toEqual(inOrder);
  });

  it('answers the same one call at a time as all at once', async () => {
    const oneByOne = simulator(settings(7, 0));
    const sequential: PspAnswer[] = [];
    for (const request of attempts) sequential.push(await oneByOne.charge(request, noDeadline()));
    const allAtOnce = simulator(settings(7));
    expect(await Promise.all(attempts.map((request) => allAtOnce.charge(request, noDeadline())))).toEqual(sequential);
  });

  it('answers differently under a different seed', async () => {
    const statusesUnder = async (seed: number) => {
      const psp = simulator(settings(seed));
      const answers = await Promise.all(attempts.map((request) => psp.charge(request, noDeadline())));
      return answers.map((a) => a.pspStatus);
    };
    const [seven, eight] = await Promise.all([statusesUnder(7), statusesUnder(8)]);
    expect(eight).not.toEqual(seven);
  });
});
