import { setTimeout as sleep } from 'node:timers/promises';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { runWorker } from '../../src/cli/run-worker.js';
import { decodePspResultUpdate, eventKeyOf } from '../../src/codecs/index.js';
import type { PaymentOrderDocument } from '../../src/state/index.js';
import { committedOffsets, envNumber, faultStack, freeze, httpStatus, thaw, totalOf } from '../support/fault-stack.js';
import { readRecords } from '../support/partition-reader.js';
import { testLogger } from '../support/real-stack.js';
import { describeError, openRun, watchSettled } from '../support/reliability-run.js';
import { workerTestConfig } from '../support/worker-config.js';

/**
 * Scenario 3 of "Reliability proven": the store (the mongo-java-server stand-in, memory only) is frozen with
 * SIGSTOP mid-stream and thawed with SIGCONT. While frozen the worker reports not ready and commits nothing
 * it has not written; afterwards the backlog drains, and nothing is lost or doubled.
 */
const stack = faultStack();
const seconds = envNumber('RELIABILITY_STORE_LOAD_SECONDS', 30);
// Every order stays in the store for the final check: keep rate × seconds ≲ 8,000 (about 3,000 orders).
const rate = envNumber('RELIABILITY_STORE_RATE', 250);
const freezeSeconds = envNumber('RELIABILITY_STORE_FREEZE_SECONDS', 15);
const seed = envNumber('RELIABILITY_SEED', 20261127);
const budgetMs = (seconds + freezeSeconds + 150) * 1000;
/** Time the worker may take to notice the freeze: a readiness ping's 1 s timeout, a commit interval. */
const noticeMs = 3_000;

describe('reliability: store outage', () => {
  it.skipIf(stack.skipReason !== undefined)(
    `is not ready and commits nothing unwritten while the store is frozen for ${freezeSeconds} s, then drains`,
    async () => {
      const run = await openRun('store-outage');
      const worker = await runWorker(workerTestConfig(run.env), testLogger);
      const ended = watchSettled(worker.done);
      const guard = (): void => {
        if (ended.settled()) throw new Error(`the worker ended by itself: ${describeError(ended.error())}`);
      };
      const load = run.startLoad({ rate, seconds, waveOrders: 1_000, seed, retire: false });
      const pid = stack.mongo.pid();
      if (pid === undefined) throw new Error('the store stand-in is not running');
      let frozen = false;
      try {
        while ((await run.committed()) < 1_000) {
          guard();
          await sleep(200);
        }
        expect(await httpStatus(worker.metricsPort, '/readyz'), 'ready before the freeze').toBe(200);

        const frozenAt = Date.now();
        freeze(pid);
        frozen = true;
        const probes: { at: number; status: number }[] = [];
        const snapshots: { at: number; committed: Map<number, number> }[] = [];
        while (Date.now() - frozenAt < freezeSeconds * 1000) {
          const [status, committed] = await Promise.all([
            httpStatus(worker.metricsPort, '/readyz'),
            committedOffsets(run.admin, run.names.group, run.names.topic),
          ]);
          probes.push({ at: Date.now() - frozenAt, status });
          snapshots.push({ at: Date.now() - frozenAt, committed });
          await sleep(500);
        }
        thaw(pid);
        frozen = false;
        const thawedAt = Date.now();

        const settled = probes.filter((p) => p.at >= noticeMs);
        console.log(
          `[store-outage] frozen ${((thawedAt - frozenAt) / 1000).toFixed(1)} s; /readyz: ` +
            probes.map((p) => `${(p.at / 1000).toFixed(1)}s=${p.status}`).join(' '),
        );
        expect(settled.length).toBeGreaterThan(0);
        expect(
          settled.filter((p) => p.status !== 503),
          '/readyz answers 503 while the store is frozen',
        ).toEqual([]);

        // Commits stand still once the writes acknowledged before the freeze are committed.
        const reference = snapshots.find((s) => s.at >= noticeMs);
        const last = snapshots[snapshots.length - 1];
        if (reference === undefined || last === undefined) throw new Error('no committed-offset snapshot');
        expect(totalOf(last.committed), 'committed offsets advanced while the store was frozen').toBe(
          totalOf(reference.committed),
        );
        console.log(
          `[store-outage] committed while frozen: ${totalOf(snapshots[0]?.committed ?? new Map())} at the freeze, ` +
            `${totalOf(reference.committed)} after ${(reference.at / 1000).toFixed(1)} s, ` +
            `${totalOf(last.committed)} at the thaw`,
        );

        // Ready again, and the backlog drains.
        const readyDeadline = Date.now() + 60_000;
        while ((await httpStatus(worker.metricsPort, '/readyz')) !== 200) {
          guard();
          if (Date.now() > readyDeadline) throw new Error('not ready within 60 s of the thaw');
          await sleep(250);
        }
        console.log(`[store-outage] ready again ${((Date.now() - thawedAt) / 1000).toFixed(1)} s after the thaw`);
        const result = await run.settle(load, budgetMs, guard);
        console.log(`[store-outage] ${result}`);

        // Nothing committed during the freeze lies past what was written before it: every record below
        // the committed offsets seen while frozen has its audit entry, decided before the freeze began.
        const records = await readRecords(run.kafka, run.admin, run.names.topic);
        const covered = records.filter((r) => r.offset < (last.committed.get(r.partition) ?? 0));
        expect(covered.length).toBe(totalOf(last.committed));
        const keyed = covered.map((r) => {
          const decoded = decodePspResultUpdate(r);
          if (E.isLeft(decoded)) throw new Error(`undecodable record ${r.partition}/${r.offset}`);
          return { record: r, id: decoded.right.paymentOrderId, key: eventKeyOf(decoded.right) };
        });
        const docs = await run.db
          .collection<PaymentOrderDocument>('payment_orders')
          .find({ _id: { $in: [...new Set(keyed.map((k) => k.id))] } })
          .toArray();
        const appliedAt = new Map(docs.flatMap((d) => d.history.map((h) => [`${d._id}/${h.key}`, h.appliedAt])));
        const late = keyed.filter((k) => {
          const at = appliedAt.get(`${k.id}/${k.key}`);
          return at === undefined || at.getTime() >= frozenAt;
        });
        expect(
          late.slice(0, 5).map((k) => `${k.record.partition}/${k.record.offset}`),
          'committed while frozen, but not written before the freeze',
        ).toEqual([]);
        console.log(`[store-outage] ${covered.length} records committed by the thaw: all written before the freeze`);

        guard();
        await worker.stop();
        await worker.done;
      } finally {
        if (frozen) thaw(pid);
        load.stop();
        if (!ended.settled()) await worker.stop();
        await run.close();
      }
    },
    budgetMs + 60_000,
  );
});
