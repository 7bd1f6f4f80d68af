import { inMemoryIdempotency, type IdempotencyMemory } from './idempotency-memory.js';

/** How often each outcome happens, as probabilities of one charge; what the rates leave over succeeds. */
export interface SimulationRates {
  /** The card is declined (or expired, or blocked). */
  readonly decline: number;
  readonly insufficientFunds: number;
  /** No answer at all: the call stalls until the caller's signal gives up. */
  readonly timeout: number;
  /** 500 / 503 and the like. */
  readonly serverError: number;
  /** 429. */
  readonly rateLimit: number;
  /** Accepted, final result later. */
  readonly pending: number;
  /** The shopper must authenticate (3-D Secure, redirect). */
  readonly authRequired: number;
  /** Authorised, capture still to come. */
  readonly capturePending: number;
}

export interface SimulationLatency {
  readonly min: number;
  readonly max: number;
}

/** How a simulated PSP behaves. The same settings answer the same for the same idempotency keys. */
export interface SimulationSettings {
  readonly seed: number;
  /** Every call waits between min and max milliseconds (drawn per key), abortably. */
  readonly latencyMs: SimulationLatency;
  readonly rates: SimulationRates;
}

/** Settings plus the memory the simulator keeps its answers and charges in. */
export interface Simulation extends SimulationSettings {
  readonly memory: IdempotencyMemory;
}

export interface SimulationOverrides {
  readonly seed?: number;
  readonly latencyMs?: Partial<SimulationLatency>;
  readonly rates?: Partial<SimulationRates>;
  readonly memory?: IdempotencyMemory;
}

/** About four charges in five succeed at once; the rest spread over the unhappy paths. */
export const defaultSimulation: SimulationSettings = Object.freeze({
  seed: 42,
  latencyMs: Object.freeze({ min: 20, max: 150 }),
  rates: Object.freeze({
    decline: 0.06,
    insufficientFunds: 0.03,
    timeout: 0.02,
    serverError: 0.02,
    rateLimit: 0.01,
    pending: 0.03,
    authRequired: 0.02,
    capturePending: 0.01,
  }),
});

/** About 30% retryable answers and 10% check-later ones: the loop's hard case (`PSP_SIM_PROFILE=flaky`). */
export const flakyRates: SimulationRates = Object.freeze({
  decline: 0.06,
  insufficientFunds: 0.02,
  timeout: 0.05,
  serverError: 0.15,
  rateLimit: 0.1,
  pending: 0.05,
  authRequired: 0.03,
  capturePending: 0.02,
});

/** The rates of each named profile: `default` is `defaultSimulation`'s. */
export const simulationProfiles = Object.freeze({ default: defaultSimulation.rates, flaky: flakyRates });
export type SimulationProfile = keyof typeof simulationProfiles;

/** A charge that gets no answer stalls this long: past any sensible caller timeout. */
export const timeoutStallMs = 60_000;

/** The default settings with `overrides` applied, and a fresh in-memory memory unless one is given. */
export const simulation = (overrides: SimulationOverrides = {}): Simulation => ({
  seed: overrides.seed ?? defaultSimulation.seed,
  latencyMs: { ...defaultSimulation.latencyMs, ...overrides.latencyMs },
  rates: { ...defaultSimulation.rates, ...overrides.rates },
  memory: overrides.memory ?? inMemoryIdempotency(),
});

/** Throws a RangeError unless every rate is a probability, they sum to at most 1, and 0 ≤ min ≤ max. */
export const validateSimulation = (settings: SimulationSettings): void => {
  const rates = Object.entries(settings.rates) as [string, number][];
  for (const [name, rate] of rates) {
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
      throw new RangeError(`simulation rate ${name} must be within [0, 1], got ${rate}`);
    }
  }
  const total = rates.reduce((sum, [, rate]) => sum + rate, 0);
  if (total > 1 + 1e-9) throw new RangeError(`simulation rates must sum to at most 1, got ${total}`);
  const { min, max } = settings.latencyMs;
  if (!Number.isFinite(min) || !Number.isFinite(max) || min < 0 || max < min) {
    throw new RangeError(`simulation latency must satisfy 0 <= min <= max, got ${min}..${max}`);
  }
  if (!Number.isFinite(settings.seed)) throw new RangeError(`simulation seed must be finite, got ${settings.seed}`);
};
