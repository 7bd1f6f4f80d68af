import type { Db } from 'mongodb';
import { storedStates } from '../context.js';
import { oracleMismatches, type EventPlan } from '../events.js';
import { roundTripsOf } from '../mongo-commands.js';
import type { ThroughputRow } from '../rows.js';

/**
 * A consumer's row on the stand-in (e, n, f): both rates from its first consumed event, round trips from the
 * commands its database saw, and the stored states against the plan's oracle.
 */
export const standInRow = async (row: {
  readonly id: string;
  readonly name: string;
  readonly plan: EventPlan;
  readonly events: number;
  readonly db: Db;
  readonly dbName: string;
  readonly storeSize: number;
  readonly startedAt: number;
  readonly committedAt: number;
  readonly lastWriteAt: number;
  /** Data commands on payment_orders, when the row counted them itself (its client unmonitored). */
  readonly roundTrips?: number;
  readonly notes: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}): Promise<ThroughputRow> => {
  const seconds = (row.committedAt - row.startedAt) / 1000;
  const toWrite = (row.lastWriteAt - row.startedAt) / 1000;
  const oracle = oracleMismatches(row.plan.orders, await storedStates(row.db));
  return {
    id: row.id,
    name: row.name,
    events: row.events,
    seconds,
    perSecond: row.events / seconds,
    toLastWrite: { seconds: toWrite, perSecond: row.events / toWrite },
    roundTripsPerEvent: (row.roundTrips ?? roundTripsOf(row.dbName)) / row.events,
    storeSize: row.storeSize,
    storeKind: 'stand-in',
    oracleMismatches: oracle.count,
    notes: row.notes,
    detail: { ...row.detail, oracleExamples: oracle.examples },
  };
};
