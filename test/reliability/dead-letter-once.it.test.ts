import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterHeaders } from '../../src/kafka/dead-letter-publisher.js';
import { envNumber } from '../support/fault-stack.js';
import { seededRandom } from '../support/psp-results.js';
import { openRun, watchSettled, type ReliabilityRun } from '../support/reliability-run.js';
import { readWholeTopic } from '../support/topic-reader.js';
import { killWorkersInTurn } from '../support/kill-loop.js';
import { spawnWorker, type WorkerProcess } from '../support/worker-process.js';

/**
 * Issue 15, point 6: each bad record is dead-lettered exactly once (as a read_committed reader of the DLQ
 * sees it) while the worker is SIGKILLed again and again: bad records spread through a steady load of good
 * results, the worker killed at random moments and started again. Every good result is applied once (the
 * usual audit), every bad record is in the DLQ once, nothing else is.
 */
const seconds = envNumber('RELIABILITY_SECONDS', 60);
const rate = envNumber('RELIABILITY_RATE', 150);
const bad = envNumber('RELIABILITY_BAD_RECORDS', 3_000);
const kills = envNumber('RELIABILITY_KILLS', 8);
const seed = envNumber('RELIABILITY_SEED', 20261130);
const budgetMs = (Math.max(seconds, (rate * seconds) / 300) + kills * 20 + 120) * 1000;

describe('reliability: each bad record dead-lettered once across SIGKILLs', () => {
  let run: ReliabilityRun;
  beforeAll(async () => {
    run = await openRun('dlq-once', { KAFKA_SESSION_TIMEOUT_MS: '6000' });
  });
  afterAll(async () => {
    await run.close();
  });

  it(
    `${bad} bad records among ${rate * seconds} results, ${kills} SIGKILLs: the DLQ holds each bad record once`,
    async () => {
      const random = seededRandom(seed);
      const load = run.startLoad({ rate, seconds, waveOrders: 1_000, seed });
      // Bad records on every partition (keys spread them), through the whole load.
      const producer = run.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const badKeys = Array.from({ length: bad }, (_, i) => `bad-${seed}-${i}`);
      const publishingBad = (async () => {
        const perTick = Math.max(1, Math.ceil(bad / (seconds * 4)));
        for (let i = 0; i < bad; i += perTick) {
          await producer.send({
            topic: run.names.topic,
            acks: -1,
            messages: badKeys.slice(i, i + perTick).map((key) => ({ key, value: `{"paymentOrderId": "${key}"` })),
          });
          await sleep(250);
        }
      })();
      const badDone = watchSettled(publishingBad);
      const workers: WorkerProcess[] = [];
      try {
        // Each incarnation is killed once it committed work of its own (every other one: a few hundred
        // records), at a random moment: mid-batch, between the letters' parking and their transaction, during
        // a commit. The kills are paced to land while the load and the bad records are still coming.
        workers.push(
          ...(await killWorkersInTurn(run, {
            label: 'dlq-once',
            kills,
            random,
            progress: (k) => (k % 2 === 0 ? 300 : 1),
            progressTimeoutMs: 30_000,
            requireProgress: false,
            maxPauseMs: 2_000,
          })),
        );
        const last = spawnWorker(run.env);
        workers.push(last);
        await publishingBad;
        expect(badDone.error()).toBeUndefined();
        const result = await run.settle(
          load,
          budgetMs,
          () => {
            if (last.hasExited()) throw new Error('the last worker exited by itself');
          },
          { deadLetters: 'expected' },
        );
        const letters = await readWholeTopic(run.kafka, run.admin, run.names.dlq);
        const times = new Map<string, number>();
        for (const l of letters) {
          const key = l.key?.toString() ?? '';
          times.set(key, (times.get(key) ?? 0) + 1);
        }
        const twice = [...times].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`);
        const missing = badKeys.filter((key) => !times.has(key));
        const strangers = [...times.keys()].filter((key) => !key.startsWith(`bad-${seed}-`));
        const reasons = new Set(letters.map((l) => l.headers?.[deadLetterHeaders.reason]?.toString()));
        console.log(
          `[dlq-once] ${kills} SIGKILLs, ${bad} bad records: ${letters.length} dead letters, ` +
            `${twice.length} doubled, ${missing.length} missing; ${result}`,
        );
        expect(twice.slice(0, 10), 'dead-lettered more than once').toEqual([]);
        expect(missing.slice(0, 10), 'bad records never dead-lettered').toEqual([]);
        expect(strangers.slice(0, 10), 'good results dead-lettered').toEqual([]);
        expect(letters.length).toBe(bad);
        expect([...reasons]).toEqual(['invalid-json']);
        const exit = await last.kill('SIGTERM');
        expect(exit, 'the last worker drains and exits cleanly on SIGTERM').toEqual({ code: 0, signal: null });
      } finally {
        load.stop();
        await producer.disconnect().catch(() => undefined);
        await Promise.all(workers.map((w) => w.kill('SIGKILL')));
      }
    },
    budgetMs + 60_000,
  );
});
