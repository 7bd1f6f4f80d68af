import type { PaymentOrderId } from '../../../src/codecs/index.js';
import type { ChargeRequest, PspAnswer, PspClient } from '../../../src/publisher/psp-client.js';
import {
  adyenSimulator,
  simulation,
  stripeSimulator,
  type Simulation,
  type SimulationOverrides,
  type SimulationRates,
} from '../../../src/publisher/psp/index.js';

/** Every rate zero: every charge succeeds. */
export const allSucceed: SimulationRates = Object.freeze({
  decline: 0,
  insufficientFunds: 0,
  timeout: 0,
  serverError: 0,
  rateLimit: 0,
  pending: 0,
  authRequired: 0,
  capturePending: 0,
});

export const simulators = [
  { psp: 'stripe', simulator: stripeSimulator },
  { psp: 'adyen', simulator: adyenSimulator },
] as const satisfies readonly { psp: string; simulator: (sim: Simulation) => PspClient }[];

/** Settings with only the given rates, no latency unless given, and a fresh memory. */
export const instant = (rates: Partial<SimulationRates>, overrides: SimulationOverrides = {}): Simulation =>
  simulation({ latencyMs: { min: 0, max: 0 }, ...overrides, rates: { ...allSucceed, ...rates } });

export const orderId = (id: string): PaymentOrderId => id as PaymentOrderId;

export const chargeOf = (order: string, attempt: number, amount = 1250): ChargeRequest => ({
  paymentOrderId: orderId(order),
  amount,
  currency: 'EUR',
  idempotencyKey: `${order}:${attempt}`,
});

/** A signal nobody aborts. */
export const noDeadline = (): AbortSignal => new AbortController().signal;

/** The parts of an answer the tables compare. */
export const essentials = (answer: PspAnswer): Pick<PspAnswer, 'pspStatus' | 'errorCode' | 'pspReference'> => ({
  pspStatus: answer.pspStatus,
  ...(answer.errorCode === undefined ? {} : { errorCode: answer.errorCode }),
  ...(answer.pspReference === undefined ? {} : { pspReference: answer.pspReference }),
});

/** The share of charges the rates leave unhappy. */
export const totalRate = (rates: SimulationRates): number =>
  (Object.keys(rates) as (keyof SimulationRates)[]).reduce((sum, name) => sum + rates[name], 0);
