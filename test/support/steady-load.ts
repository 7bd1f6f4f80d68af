import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Db } from 'mongodb';
import { encodePspResultUpdate, type PspResultUpdateEvent } from '../../src/codecs/index.js';
import type { PaymentOrderDocument } from '../../src/state/index.js';
import { auditMismatches } from './audit.js';
import { committedOffsets, topicEnds, untilItWorks } from './fault-stack.js';
import {
  insertInitiatedOrders,
  planOrders,
  publicationOrder,
  scenarios,
  seededRandom,
  type PlannedOrder,
} from './psp-results.js';

export interface SteadyLoadOptions {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly db: Db;
  readonly topic: string;
  /** Events per second, duplicates included. */
  readonly rate: number;
  readonly seconds: number;
  /**
   * Orders per wave: each wave's orders are created before its results are published, and a wave whose
   * results the group has committed is audited and deleted (`retireCommittedWaves`), so that the store
   * (whose compound filters scan the collection) never holds more than about two waves however long the run.
   */
  readonly waveOrders: number;
  /**
   * Most orders alive (created, not yet retired) at once; a new wave waits for room, and the rate's clock
   * waits with it. The stand-in scans the whole collection on every conditional update, so a worker that
   * falls behind must not make the store ever slower: the load then runs at the rate the stack sustains,
   * reported as `rate` in the summary. Default: three waves.
   */
  readonly maxLiveOrders?: number;
  readonly duplicateShare: number;
  readonly seed: number;
  readonly prefix: string;
}

interface Wave {
  readonly index: number;
  readonly orders: readonly PlannedOrder[];
  readonly events: readonly PspResultUpdateEvent[];
  /** High watermarks once the wave's last result was acknowledged: every result of the wave lies below them. */
  ends?: ReadonlyMap<number, number>;
}

export interface LoadSummary {
  readonly events: number;
  readonly orders: number;
  readonly waves: number;
  readonly seconds: number;
  /** `send` calls that failed (broker away) and were made again. */
  readonly failedSends: number;
  /** Events per second actually published. */
  readonly rate: number;
  /** Time the producer waited for room under `maxLiveOrders`. */
  readonly throttledSeconds: number;
}

const meanEventsPerOrder = (duplicateShare: number): number =>
  (scenarios.reduce((sum, s) => sum + s.statuses.length, 0) / scenarios.length) * (1 + duplicateShare);

/**
 * A producer publishing PSP results at a steady rate, in waves of freshly created orders, each order's
 * results in their order (one key per order, so one partition) with a share of duplicates. A failed send is
 * made again, with a fresh producer, until the broker takes it: the load survives a broker restart, and a
 * re-sent batch only adds duplicates, which the oracle allows.
 */
export class SteadyLoad {
  private readonly waves: Wave[] = [];
  private readonly mismatches: string[] = [];
  private producer: Producer | undefined;
  private stopped = false;
  private sent = 0;
  private failedSends = 0;
  private ordersPlanned = 0;
  private retired = 0;
  private readonly random: () => number;
  private readonly done: Promise<LoadSummary>;

  constructor(private readonly opts: SteadyLoadOptions) {
    this.random = seededRandom(opts.seed);
    this.done = this.run();
    // The caller awaits `finished()`; an early failure must not be an unhandled rejection meanwhile.
    this.done.catch(() => undefined);
  }

  /** Resolves once every result of every wave is published. */
  finished(): Promise<LoadSummary> {
    return this.done;
  }

  /** Events published so far. */
  published(): number {
    return this.sent;
  }

  /** Ends the load early, after the wave being published (so that every planned order is complete). */
  stop(): void {
    this.stopped = true;
  }

  /** Waves not yet audited and deleted. */
  liveOrders(): number {
    return this.waves.reduce((sum, w) => sum + w.orders.length, 0);
  }

  /**
   * Audits and deletes the waves that the group has committed entirely, except the newest `keep` of them (a
   * straggling write of a worker that lost its partitions must still find its order).
   */
  async retireCommittedWaves(groupId: string, keep = 1): Promise<void> {
    const committed = await committedOffsets(this.opts.admin, groupId, this.opts.topic);
    const complete = (w: Wave): boolean =>
      w.ends !== undefined && [...w.ends].every(([p, end]) => (committed.get(p) ?? 0) >= end);
    const ready: Wave[] = [];
    for (const w of this.waves) {
      if (!complete(w)) break;
      ready.push(w);
    }
    for (const w of ready.slice(0, Math.max(0, ready.length - keep))) {
      this.mismatches.push(...(await auditMismatches(this.opts.db, w.orders)));
      await this.opts.db
        .collection<PaymentOrderDocument>('payment_orders')
        .deleteMany({ _id: { $in: w.orders.map((o) => o.id) } });
      this.waves.splice(this.waves.indexOf(w), 1);
      this.retired += 1;
    }
  }

  /** Every order of every wave audited (retired waves when they were retired, the rest now). */
  async audit(): Promise<{ readonly orders: number; readonly wrong: readonly string[] }> {
    for (const w of this.waves) this.mismatches.push(...(await auditMismatches(this.opts.db, w.orders)));
    return { orders: this.ordersPlanned, wrong: this.mismatches };
  }

  retiredWaves(): number {
    return this.retired;
  }

  private async run(): Promise<LoadSummary> {
    const { rate, seconds } = this.opts;
    const total = Math.round(rate * seconds);
    const perOrder = meanEventsPerOrder(this.opts.duplicateShare);
    const started = Date.now();
    // The rate's clock: moved on by the time spent waiting for room, so that the load resumes at its rate
    // instead of bursting to catch up.
    let clock = started;
    let throttledMs = 0;
    const maxLive = this.opts.maxLiveOrders ?? 3 * this.opts.waveOrders;
    let index = 0;
    const plan = async (budget: number): Promise<Wave> => {
      const count = Math.max(1, Math.min(this.opts.waveOrders, Math.ceil(budget / perOrder)));
      while (this.liveOrders() + count > maxLive && !this.stopped) await sleep(100);
      const orders = planOrders(count, `${this.opts.prefix}-w${index}`, this.random);
      const wave: Wave = { index, orders, events: publicationOrder(orders, this.opts.duplicateShare, this.random) };
      index += 1;
      this.ordersPlanned += orders.length;
      await untilItWorks(
        () =>
          insertInitiatedOrders(
            this.opts.db,
            orders.map((o) => o.id),
          ),
        120_000,
      );
      return wave;
    };
    let current = await plan(total);
    let budgetLeft = total - current.events.length;
    // The next wave's orders are created while this one is published.
    let next = budgetLeft > 0 ? plan(budgetLeft) : undefined;
    let position = 0;
    this.waves.push(current);
    for (;;) {
      if (position >= current.events.length) {
        current.ends = await untilItWorks(() => topicEnds(this.opts.admin, this.opts.topic), 120_000);
        if (next === undefined || this.stopped) break;
        const waitFrom = Date.now();
        current = await next;
        const waited = Date.now() - waitFrom;
        if (waited > 50) {
          clock += waited;
          throttledMs += waited;
        }
        this.waves.push(current);
        position = 0;
        budgetLeft -= current.events.length;
        next = budgetLeft > 0 ? plan(budgetLeft) : undefined;
        continue;
      }
      const due = Math.floor(((Date.now() - clock) / 1000) * rate) - this.sent;
      if (due <= 0) {
        await sleep(50);
        continue;
      }
      const chunk = current.events.slice(position, position + Math.min(due, 500));
      await this.send(chunk);
      position += chunk.length;
      this.sent += chunk.length;
    }
    // A wave planned ahead but never published: its orders exist without results; forget them.
    if (next !== undefined) {
      const unpublished = await next;
      this.ordersPlanned -= unpublished.orders.length;
      await this.opts.db
        .collection<PaymentOrderDocument>('payment_orders')
        .deleteMany({ _id: { $in: unpublished.orders.map((o) => o.id) } });
    }
    await this.producer?.disconnect().catch(() => undefined);
    return {
      events: this.sent,
      orders: this.ordersPlanned,
      waves: this.waves.length + this.retired,
      seconds: (Date.now() - started) / 1000,
      rate: this.sent / Math.max(0.001, (Date.now() - started) / 1000),
      throttledSeconds: throttledMs / 1000,
      failedSends: this.failedSends,
    };
  }

  private async send(events: readonly PspResultUpdateEvent[]): Promise<void> {
    for (;;) {
      try {
        if (this.producer === undefined) {
          const producer = this.opts.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
          await producer.connect();
          this.producer = producer;
        }
        await this.producer.send({
          topic: this.opts.topic,
          acks: -1,
          messages: events.map((e) => encodePspResultUpdate(e)),
        });
        return;
      } catch {
        // Broker away: start over with a fresh producer (its idempotence state may be stale) after a pause.
        this.failedSends += 1;
        const stale = this.producer;
        this.producer = undefined;
        await stale?.disconnect().catch(() => undefined);
        await sleep(500);
      }
    }
  }
}
