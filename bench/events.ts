import kafkajs, { type PartitionMetadata } from 'kafkajs';
import type { PspResultUpdateEvent } from '../src/codecs/index.js';
import { seededRandom } from '../src/publisher/psp/index.js';
import {
  interleave,
  pickScenario,
  plannedOrder,
  scenarios,
  withDuplicates,
  type PlannedOrder,
  type Scenario,
} from '../support/event-plan.js';

export { initiatedDoc, oracleMismatches, type PlannedOrder } from '../support/event-plan.js';

/**
 * The event mix of every run: the integration tests' scenarios, ~20% of results published twice, and orders
 * interleaved within a window of concurrently active orders.
 */
export interface EventPlan {
  readonly orders: readonly PlannedOrder[];
  /** Publication order; a duplicate is the very same object as its first copy. */
  readonly events: readonly PspResultUpdateEvent[];
  readonly duplicates: number;
}

const declined = scenarios.find((s) => s.name === 'declined') as Scenario;

export interface PlanOptions {
  readonly prefix: string;
  readonly seed: number;
  /** Exactly this many events (the last orders are filled with one-event orders), or… */
  readonly events?: number;
  /** …exactly this many orders. */
  readonly orders?: number;
  readonly duplicateShare?: number;
  /** Orders in progress at once: an order's results are spread over about window × 2.7 events. */
  readonly window?: number;
}

export const planEvents = (opts: PlanOptions): EventPlan => {
  const random = seededRandom(opts.seed);
  const duplicateShare = opts.duplicateShare ?? 0.2;
  const orders: PlannedOrder[] = [];
  const sequences: PspResultUpdateEvent[][] = [];
  let total = 0;
  const want = opts.events;
  for (let i = 0; opts.orders === undefined ? total < (want ?? 0) : i < opts.orders; i++) {
    let order = plannedOrder(i, opts.prefix, pickScenario(random));
    let sequence = withDuplicates(order, duplicateShare, random);
    if (want !== undefined && opts.orders === undefined && total + sequence.length > want) {
      order = plannedOrder(i, opts.prefix, declined);
      sequence = [...order.events];
    }
    orders.push(order);
    sequences.push(sequence);
    total += sequence.length;
  }
  const events = interleave(sequences, opts.window ?? 10_000, random);
  const distinct = orders.reduce((n, o) => n + o.events.length, 0);
  return { orders, events, duplicates: events.length - distinct };
};

const partitioner = kafkajs.Partitioners.DefaultPartitioner();
const metadataOf = new Map<number, PartitionMetadata[]>();

/** The partition kafkajs' (Java-compatible) default partitioner gives a key: the store-only run uses the same lanes. */
export const partitionOf = (key: string, partitions: number): number => {
  let metadata = metadataOf.get(partitions);
  if (metadata === undefined) {
    metadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      partitionErrorCode: 0,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
    metadataOf.set(partitions, metadata);
  }
  return partitioner({ topic: 'bench', partitionMetadata: metadata, message: { key, value: null } });
};
