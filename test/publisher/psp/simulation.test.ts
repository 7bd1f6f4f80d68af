import { describe, expect, it } from 'vitest';
import {
  chargeOutcome,
  defaultSimulation,
  pspClientFor,
  simulation,
  validateSimulation,
  type SimulationSettings,
} from '../../../src/publisher/psp/index.js';
import { allSucceed, simulators, totalRate } from './simulators.js';

const withRates = (rates: Partial<SimulationSettings['rates']>): SimulationSettings => ({
  ...defaultSimulation,
  rates: { ...defaultSimulation.rates, ...rates },
});

describe('simulation settings', () => {
  it('defaults to valid settings that mostly succeed', () => {
    expect(() => {
      validateSimulation(defaultSimulation);
    }).not.toThrow();
    const unhappy = totalRate(defaultSimulation.rates);
    expect(unhappy).toBeLessThan(0.5);
  });

  it('applies overrides over the defaults, with a fresh memory each time', () => {
    const sim = simulation({ seed: 9, latencyMs: { max: 500 }, rates: { decline: 0.5 } });
    expect(sim.seed).toBe(9);
    expect(sim.latencyMs).toEqual({ min: defaultSimulation.latencyMs.min, max: 500 });
    expect(sim.rates).toEqual({ ...defaultSimulation.rates, decline: 0.5 });
    expect(simulation().memory).not.toBe(simulation().memory);
  });

  it.each([
    ['a negative rate', withRates({ decline: -0.1 })],
    ['a rate above 1', withRates({ timeout: 1.5 })],
    ['a rate that is not a number', withRates({ pending: Number.NaN })],
    ['rates summing above 1', withRates({ decline: 0.6, pending: 0.6 })],
    ['a negative latency', { ...defaultSimulation, latencyMs: { min: -1, max: 10 } }],
    ['a latency range upside down', { ...defaultSimulation, latencyMs: { min: 10, max: 5 } }],
  ])('refuses %s', (_name, settings) => {
    expect(() => {
      validateSimulation(settings);
    }).toThrow(RangeError);
  });

  it.each(simulators)('refuses to build the $psp simulator from invalid settings', ({ simulator }) => {
    expect(() => simulator({ ...simulation(), rates: { ...allSucceed, decline: 2 } })).toThrow(RangeError);
  });
});

describe('chargeOutcome', () => {
  it('gives each rate its share of [0, 1) in order and success the rest', () => {
    const rates = { ...allSucceed, decline: 0.1, timeout: 0.2 };
    expect(chargeOutcome(rates, 0)).toBe('decline');
    expect(chargeOutcome(rates, 0.0999)).toBe('decline');
    expect(chargeOutcome(rates, 0.1)).toBe('timeout');
    expect(chargeOutcome(rates, 0.2999)).toBe('timeout');
    expect(chargeOutcome(rates, 0.3001)).toBe('success');
    expect(chargeOutcome(allSucceed, 0.999)).toBe('success');
  });
});

describe('pspClientFor', () => {
  it.each(['stripe', 'adyen'] as const)('builds the %s simulator', (name) => {
    expect(pspClientFor(name, simulation()).name).toBe(name);
  });
});
