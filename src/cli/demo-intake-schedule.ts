import { ordersDueBy, steadyOrders, totalOrders, type DemoPlan } from './demo-schedule.js';
import type { DemoIntake } from './demo-intake.js';

/** Orders per intake batch (three round trips each) and batches in flight: the burst is created in seconds. */
const intakeBatch = 1_000;
const intakeConcurrency = 4;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export interface IntakeSchedule {
  readonly plan: DemoPlan;
  readonly intake: Pick<DemoIntake, 'createMany'>;
  /** The orders, as NDJSON lines, in the order they are created. */
  readonly lines: Iterator<string>;
  readonly startedAt: number;
  /** The first order of the burst is about to be created. */
  readonly onBurst: () => void;
  readonly onCreated: (orders: number) => void;
}

/**
 * Intake alongside the flow: the schedule says how many orders should exist by now, and what is due goes
 * in batches that never straddle the start of the burst (its clock starts with its first order).
 */
export const intakeOnSchedule = async (s: IntakeSchedule): Promise<void> => {
  const steady = steadyOrders(s.plan);
  const total = totalOrders(s.plan);
  const inFlight = new Set<Promise<void>>();
  let next = 0;
  while (next < total) {
    const due = ordersDueBy(s.plan, Date.now() - s.startedAt);
    if (next >= due) {
      await sleep(5);
      continue;
    }
    const size = Math.min(due - next, intakeBatch, next < steady ? steady - next : Number.POSITIVE_INFINITY);
    const batch: string[] = [];
    while (batch.length < size) {
      const line = s.lines.next();
      if (line.done === true) break;
      batch.push(line.value);
    }
    if (batch.length === 0) break;
    if (next === steady) s.onBurst();
    next += batch.length;
    const p = s.intake.createMany(batch).finally(() => {
      s.onCreated(batch.length);
      inFlight.delete(p);
    });
    inFlight.add(p);
    if (inFlight.size >= intakeConcurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
};
