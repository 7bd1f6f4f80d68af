import { randomUUID } from 'node:crypto';
import type { PspStatus } from '../../codecs/index.js';
import type { ChargeRequest, PspAnswer, PspClient, PspName } from '../psp-client.js';
import { abortableDelay } from './abortable-delay.js';
import { chargeOutcome, settlesSuccessfully, type ChargeOutcome } from './charge-outcome.js';
import type { StoredAnswer } from './idempotency-memory.js';
import { keyedRandom } from './keyed-random.js';
import { timeoutStallMs, validateSimulation, type Simulation, type SimulationLatency } from './simulation.js';

/** How one PSP words what happened: its own response shapes, and how they map onto PspAnswer. */
export interface PspDialect<Response> {
  readonly name: PspName;
  /** The PSP's reference for the charge under `idempotencyKey`: the same for the same seed and key. */
  readonly referenceFor: (seed: number, idempotencyKey: string) => string;
  /** The PSP's response to a charge with this outcome; `random` picks among equivalent wordings. */
  readonly respond: (
    outcome: Exclude<ChargeOutcome, 'timeout'>,
    pspReference: string,
    random: () => number,
  ) => Response;
  /** The PSP's response when a payment it left pending has settled. */
  readonly settle: (succeeded: boolean, pspReference: string) => Response;
  /** The PSP's response when a key comes back with a different request; absent: the first answer again. */
  readonly keyReused?: () => Response;
  readonly toAnswer: (response: Response) => PspAnswer;
}

const checkLater: ReadonlySet<PspStatus> = new Set<PspStatus>(['PENDING', 'AUTH_REQUIRED', 'CAPTURE_PENDING']);

const noResponse: PspAnswer = Object.freeze({
  pspStatus: 'TIMEOUT',
  errorCode: 'no_response',
  errorMessage: `The PSP did not answer within ${timeoutStallMs} ms.`,
});

const unknownReference: PspAnswer = Object.freeze({
  pspStatus: 'UNKNOWN',
  errorCode: 'unknown_reference',
  errorMessage: 'The PSP knows no payment under this reference.',
});

const latencyOf = ({ min, max }: SimulationLatency, r: number): number => Math.round(min + r * (max - min));

const fingerprintOf = (request: ChargeRequest): string =>
  JSON.stringify([request.paymentOrderId, request.amount, request.currency]);

/**
 * A simulated PSP speaking `dialect`. Outcomes, latencies and references are drawn from seed + key, so
 * they do not depend on call order. The first answer stored for an idempotency key is the answer for
 * that key from then on, and only its writer charges (once per successful answer). A call aborted before
 * the PSP answered stores nothing and charges nothing. A timeout stores nothing either: the same key
 * stalls again, a new attempt's key is drawn afresh.
 */
export const simulatedPsp = <Response>(sim: Simulation, dialect: PspDialect<Response>): PspClient => {
  validateSimulation(sim);
  const { memory, seed, rates, latencyMs } = sim;
  const chargeKey = (idempotencyKey: string): string => `${dialect.name}:charge:${idempotencyKey}`;
  const referenceKey = (pspReference: string): string => `${dialect.name}:reference:${pspReference}`;
  const settledKey = (pspReference: string): string => `${dialect.name}:settled:${pspReference}`;

  /** Stores `entry` unless `key` holds one; counts a charge if this write won and the answer is a success. */
  const storeFirst = async (key: string, entry: Omit<StoredAnswer, 'writer'>): Promise<StoredAnswer> => {
    const mine: StoredAnswer = { ...entry, writer: randomUUID() };
    const stored = await memory.put(key, mine);
    if (stored.writer === mine.writer && mine.answer.pspStatus === 'SUCCESSFUL') {
      await memory.countCharge(mine.paymentOrderId);
    }
    return stored;
  };

  const replay = (stored: StoredAnswer, fingerprint: string): PspAnswer =>
    stored.request !== fingerprint && dialect.keyReused !== undefined
      ? dialect.toAnswer(dialect.keyReused())
      : stored.answer;

  const charge = async (request: ChargeRequest, signal: AbortSignal): Promise<PspAnswer> => {
    const random = keyedRandom(seed, `${dialect.name}:charge:${request.idempotencyKey}`);
    const outcome = chargeOutcome(rates, random());
    await abortableDelay(latencyOf(latencyMs, random()), signal);
    const fingerprint = fingerprintOf(request);
    const earlier = await memory.get(chargeKey(request.idempotencyKey));
    if (earlier !== undefined) return replay(earlier, fingerprint);
    if (outcome === 'timeout') {
      await abortableDelay(timeoutStallMs, signal);
      return noResponse;
    }
    const pspReference = dialect.referenceFor(seed, request.idempotencyKey);
    const answer = dialect.toAnswer(dialect.respond(outcome, pspReference, random));
    const entry = { paymentOrderId: request.paymentOrderId, request: fingerprint, answer };
    // The reference first: whoever gets this answer back can ask about its reference at once.
    if (answer.pspReference !== undefined) {
      await memory.put(referenceKey(answer.pspReference), { ...entry, writer: randomUUID() });
    }
    return replay(await storeFirst(chargeKey(request.idempotencyKey), entry), fingerprint);
  };

  const getStatus = async (pspReference: string, signal: AbortSignal): Promise<PspAnswer> => {
    const random = keyedRandom(seed, `${dialect.name}:status:${pspReference}`);
    const succeeded = settlesSuccessfully(rates, random());
    await abortableDelay(latencyOf(latencyMs, random()), signal);
    const known = await memory.get(referenceKey(pspReference));
    if (known === undefined) return unknownReference;
    if (!checkLater.has(known.answer.pspStatus)) return known.answer;
    const settled = await memory.get(settledKey(pspReference));
    if (settled !== undefined) return settled.answer;
    const answer = dialect.toAnswer(dialect.settle(succeeded, pspReference));
    const stored = await storeFirst(settledKey(pspReference), {
      paymentOrderId: known.paymentOrderId,
      request: known.request,
      answer,
    });
    return stored.answer;
  };

  return { name: dialect.name, charge, getStatus };
};
