import type { SimulationRates } from './simulation.js';

/** What one simulated charge comes to, before a PSP puts it in its own words. */
export type ChargeOutcome = keyof SimulationRates | 'success';

// Listing order is draw order: a Record so that no rate can be left out.
const drawOrder = Object.keys({
  decline: true,
  insufficientFunds: true,
  timeout: true,
  serverError: true,
  rateLimit: true,
  pending: true,
  authRequired: true,
  capturePending: true,
} satisfies Record<keyof SimulationRates, true>) as (keyof SimulationRates)[];

/** The outcome a draw `r` in [0, 1) lands on: each rate takes its share of [0, 1), success the rest. */
export const chargeOutcome = (rates: SimulationRates, r: number): ChargeOutcome => {
  let edge = 0;
  for (const outcome of drawOrder) {
    edge += rates[outcome];
    if (r < edge) return outcome;
  }
  return 'success';
};

/** Whether a payment left pending settles successfully: it is declined as often as charges are. */
export const settlesSuccessfully = (rates: SimulationRates, r: number): boolean =>
  r >= Math.min(1, rates.decline + rates.insufficientFunds);
