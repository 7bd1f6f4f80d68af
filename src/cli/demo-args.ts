import { parseArgs } from 'node:util';
import { describeEnv, type ConfigOf } from '../config/env-spec.js';
import { executorEnv } from '../config/executor-env.js';
import { ordersEnv } from '../config/orders-env.js';
import { workerEnv } from '../config/worker-env.js';
import { totalOrders, type DemoPlan } from './demo-schedule.js';
import { demoTargets } from './demo-summary.js';

export const demoEnv = { ...workerEnv, ...executorEnv, ...ordersEnv };

export type DemoConfig = ConfigOf<typeof demoEnv>;

export const demoHelp = `usage: psp-stream demo [--rate R] [--seconds S] [--burst B] [--seed N] [--timeout-s T] [--verbose]

The whole flow on one machine: the worker (PspResultUpdateConsumer, with its retry dispatcher), the executor
with simulated Stripe- and Adyen-like PSPs, and PaymentService's intake running alongside them. Orders come
in at a steady R a second for S seconds (default 150/s for 30 s), then a burst of B orders at once (default
10,000); the demo adds duplicates and late results on the way and runs until every order is final.

From its first second it shows results/s, p50/p99 consumed→written and eventTime→written, the group's lag
and outcomes: redrawn in place in a terminal, one plain line every 5 s when stdout is not a terminal. It
ends with a summary: the steady phase's p99 (target < ${demoTargets.steadyP99Ms} ms), the burst's drain rate (target
≥ ${demoTargets.burstPerSecond.toLocaleString('en-US')} results/s), the retry tail and what it waited on, outcomes, DLQ count, and a check that every
order is final and in the state the transition table gives for the results it recorded. Exits 0 only if
that check passes. Worker metrics: http://127.0.0.1:$METRICS_PORT/metrics while it runs.

Logs (warn and above unless LOG_LEVEL says otherwise) go to a file named in the summary; --verbose writes
them to stderr instead. Retries and status checks are scheduled in seconds here (RETRY_BASE_MS,
CHECK_DELAY_MS) so the demo ends.

environment:
${describeEnv(demoEnv)}`;

/** Seconds, not minutes, unless the environment says otherwise: the demo has to end. */
const demoDefaults: Record<string, string> = {
  RETRY_BASE_MS: '200',
  RETRY_CAP_MS: '2000',
  CHECK_DELAY_MS: '1000',
  DISPATCH_INTERVAL_MS: '200',
  DISPATCH_LEASE_MS: '5000',
  PSP_TIMEOUT_MS: '500',
  PSP_SIM_LATENCY_MS: '20',
  LOG_LEVEL: 'warn',
};

const positive = (s: string | undefined): number => (s === undefined ? Number.NaN : Number(s));

export interface DemoArgs {
  readonly plan: DemoPlan;
  readonly seed: number;
  readonly timeoutMs: number;
  readonly verbose: boolean;
}

/** The demo's command line, checked: its arguments, or what is wrong with them. */
export const demoArgsOf = (args: readonly string[]): DemoArgs | string => {
  const parsed = parseArgs({
    args: [...args],
    options: {
      rate: { type: 'string', default: '150' },
      seconds: { type: 'string', default: '30' },
      burst: { type: 'string', default: '10000' },
      seed: { type: 'string', default: String(Date.now() % 100_000) },
      'timeout-s': { type: 'string', default: '600' },
      verbose: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const plan: DemoPlan = {
    rate: positive(parsed.values.rate),
    steadySeconds: positive(parsed.values.seconds),
    burst: positive(parsed.values.burst),
  };
  const seed = Number(parsed.values.seed);
  const timeoutMs = Number(parsed.values['timeout-s']) * 1000;
  if (
    !(plan.rate > 0) ||
    !(plan.steadySeconds >= 0) ||
    !Number.isSafeInteger(plan.burst) ||
    plan.burst < 0 ||
    totalOrders(plan) < 1 ||
    !Number.isSafeInteger(seed) ||
    !(timeoutMs > 0)
  ) {
    return 'demo: --rate must be > 0, --seconds >= 0, --burst an integer >= 0 (at least one order in all), --seed an integer, --timeout-s > 0';
  }
  return { plan, seed, timeoutMs, verbose: parsed.values.verbose };
};

/** The environment the demo runs with: its defaults, then whatever is set. */
export const demoEnvironment = (env: NodeJS.ProcessEnv): Record<string, string> => ({
  ...demoDefaults,
  ...Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')),
});
