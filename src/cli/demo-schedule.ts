/**
 * The demo's load plan: orders at a steady rate for a fixed time, then a burst created as fast as intake
 * goes. Pure, so the schedule is tested without a stack.
 */
export interface DemoPlan {
  /** Orders per second in the steady phase. */
  readonly rate: number;
  /** Length of the steady phase. */
  readonly steadySeconds: number;
  /** Orders created at once when the steady phase is over. */
  readonly burst: number;
}

export type DemoPhase = 'steady' | 'burst';

/** Orders of the steady phase: rate × seconds. */
export const steadyOrders = (plan: DemoPlan): number => Math.round(plan.rate * plan.steadySeconds);

export const totalOrders = (plan: DemoPlan): number => steadyOrders(plan) + plan.burst;

/**
 * How many orders should exist `elapsedMs` after intake began: `rate` a second during the steady phase
 * (the first at once), then every order, the burst included, once the steady phase is over.
 */
export const ordersDueBy = (plan: DemoPlan, elapsedMs: number): number => {
  const steady = steadyOrders(plan);
  if (elapsedMs >= plan.steadySeconds * 1000) return steady + plan.burst;
  if (elapsedMs < 0) return 0;
  return Math.min(steady, Math.floor((plan.rate * elapsedMs) / 1000) + 1);
};

/** The phase an order was created in, from its index in creation order. */
export const phaseOfOrder = (plan: DemoPlan, index: number): DemoPhase =>
  index < steadyOrders(plan) ? 'steady' : 'burst';

/** The index of a demo order from its id (`<prefix>-<index>`), or undefined for an order not of this run. */
export const orderIndexOf = (prefix: string, paymentOrderId: string): number | undefined => {
  if (!paymentOrderId.startsWith(`${prefix}-`)) return undefined;
  const rest = paymentOrderId.slice(prefix.length + 1);
  if (!/^\d+$/.test(rest)) return undefined;
  return Number(rest);
};
