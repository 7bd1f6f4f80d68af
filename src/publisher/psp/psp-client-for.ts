import type { PspClient, PspName } from '../psp-client.js';
import { adyenSimulator } from './adyen-simulator.js';
import type { Simulation } from './simulation.js';
import { stripeSimulator } from './stripe-simulator.js';

/** The simulated PSP of that name. */
export const pspClientFor = (name: PspName, sim: Simulation): PspClient => {
  switch (name) {
    case 'stripe':
      return stripeSimulator(sim);
    case 'adyen':
      return adyenSimulator(sim);
  }
};
