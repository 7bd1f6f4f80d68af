export { seededRandom } from './seeded-random.js';
export { keyedCharacters, keyedRandom } from './keyed-random.js';
export { abortableDelay } from './abortable-delay.js';
export { inMemoryIdempotency } from './idempotency-memory.js';
export type { IdempotencyMemory, StoredAnswer } from './idempotency-memory.js';
export {
  defaultSimulation,
  flakyRates,
  simulation,
  simulationProfiles,
  timeoutStallMs,
  validateSimulation,
} from './simulation.js';
export type {
  Simulation,
  SimulationLatency,
  SimulationOverrides,
  SimulationProfile,
  SimulationRates,
  SimulationSettings,
} from './simulation.js';
export { chargeOutcome, settlesSuccessfully } from './charge-outcome.js';
export type { ChargeOutcome } from './charge-outcome.js';
export { simulatedPsp } from './simulated-psp.js';
export type { PspDialect } from './simulated-psp.js';
export { stripeDialect, stripeSimulator, stripeToPspAnswer } from './stripe-simulator.js';
export type {
  StripeCardErrorCode,
  StripeError,
  StripeErrorStatus,
  StripeErrorType,
  StripeIntentStatus,
  StripePaymentIntent,
  StripeResponse,
} from './stripe-simulator.js';
export { adyenDialect, adyenSimulator, adyenToPspAnswer } from './adyen-simulator.js';
export type {
  AdyenErrorStatus,
  AdyenPaymentResult,
  AdyenResponse,
  AdyenResultCode,
  AdyenServiceError,
} from './adyen-simulator.js';
export { pspClientFor } from './psp-client-for.js';
export { mongoIdempotency, simulatorCollections } from './mongo-idempotency.js';
