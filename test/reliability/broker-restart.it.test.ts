import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runWorker } from '../../src/cli/run-worker.js';
import { envNumber, faultStack, untilItWorks } from '../support/fault-stack.js';
import { testLogger } from '../support/real-stack.js';
import { describeError, openRun, watchSettled } from '../support/reliability-run.js';
import { workerTestConfig } from '../support/worker-config.js';

/**
 * Scenario 2 of "Reliability proven": the Kafka broker stops mid-stream and comes back while a worker runs
 * in-process and a producer keeps producing (its sends made again until the broker takes them). The worker
 * must recover by itself, and nothing may be lost or doubled.
 */
const stack = faultStack();
const seconds = envNumber('RELIABILITY_BROKER_LOAD_SECONDS', 30);
const rate = envNumber('RELIABILITY_RATE', 300);
const outageSeconds = envNumber('RELIABILITY_BROKER_OUTAGE_SECONDS', 10);
const outages = envNumber('RELIABILITY_BROKER_OUTAGES', 1);
const waveOrders = envNumber('RELIABILITY_WAVE_ORDERS', 1_000);
const seed = envNumber('RELIABILITY_SEED', 20261126);
const budgetMs = (Math.max(seconds, (rate * seconds) / 300) + outages * (outageSeconds + 30) + 120) * 1000;

describe('reliability: broker restart', () => {
  it.skipIf(stack.skipReason !== undefined)(
    `recovers by itself from ${outages} broker outage(s) of ${outageSeconds} s under load, losing and doubling nothing`,
    async () => {
      const run = await openRun('broker-restart');
      const worker = await runWorker(workerTestConfig(run.env), testLogger);
      const ended = watchSettled(worker.done);
      const guard = (): void => {
        if (ended.settled()) throw new Error(`the worker ended by itself: ${describeError(ended.error())}`);
      };
      const load = run.startLoad({ rate, seconds, waveOrders, seed });
      try {
        for (let n = 0; n < outages; n++) {
          // Mid-stream: the worker has committed progress since the last outage.
          const before = await untilItWorks(() => run.committed(), 60_000);
          const deadline = Date.now() + 60_000;
          while ((await untilItWorks(() => run.committed(), 60_000)) < before + 500 && Date.now() < deadline) {
            guard();
            await sleep(200);
          }
          const publishedBefore = load.published();
          const stoppedAt = Date.now();
          expect(await stack.kafka.stop(), 'the broker was running').toBe(true);
          await sleep(Math.max(0, outageSeconds * 1000 - (Date.now() - stoppedAt)));
          const publishedDuring = load.published() - publishedBefore;
          await stack.kafka.start();
          const down = (Date.now() - stoppedAt) / 1000;
          const atRestart = await untilItWorks(() => run.committed(), 60_000);
          console.log(
            `[broker-restart] broker down ${down.toFixed(1)} s (${publishedDuring} results published meanwhile); ` +
              `${atRestart} committed at restart`,
          );
          // The worker comes back by itself: commits move on without anyone touching it.
          const recoveryDeadline = Date.now() + 90_000;
          while ((await untilItWorks(() => run.committed(), 60_000)) <= atRestart) {
            guard();
            if (Date.now() > recoveryDeadline) throw new Error('no commit within 90 s of the broker restart');
            await sleep(200);
          }
          console.log(`[broker-restart] first commit ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after the stop`);
        }
        const result = await run.settle(load, budgetMs, guard);
        console.log(`[broker-restart] ${result}`);
        guard();
        await worker.stop();
        await worker.done;
      } finally {
        load.stop();
        if (!ended.settled()) await worker.stop();
        await run.close();
      }
    },
    budgetMs + 60_000,
  );
});
