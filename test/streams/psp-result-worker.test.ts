import * as E from 'fp-ts/lib/Either.js';
import { defer, map, of, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { PspResult } from '../../src/state/index.js';
import type { ConsumedMessage, DeadLetter, SourceEvent } from '../../src/streams/consumed-message.js';
import type { WorkerObserver } from '../../src/streams/observe-batches.js';
import type { ConsumerControl } from '../../src/streams/psp-result-update-consumer.js';
import { pspResultWorker } from '../../src/streams/psp-result-worker.js';
import type { WorkerPolicies } from '../../src/streams/worker-policies.js';
import { newScheduler, outcomesFor } from '../support/lane-batch.js';
import { consumed, label, rawRecord, transientError, type StoreAnswer } from '../support/lane-records.js';

const msg = (m: ConsumedMessage): SourceEvent => ({ _tag: 'Message', message: m });

const policies = (overrides: Partial<WorkerPolicies> = {}): WorkerPolicies => ({
  // store retries: 5, 10, 20 ms… with random 0.5
  transientRetry: { baseMs: 10, capMs: 1_000 },
  // unknown-order waits: 50, 100 ms… with random 0.5
  unknownOrder: { retries: 1, backoff: { baseMs: 100, capMs: 10_000 } },
  lanes: { maxBatchSize: 2, maxInFlightPerPartition: 100 },
  commit: { intervalMs: 1_000, every: 1_000 },
  payment: { maxAttempts: 3 },
  dispatch: { intervalMs: 1_000, leaseMs: 30_000, relayRetry: { baseMs: 100, capMs: 5_000 } },
  random: () => 0.5,
  ...overrides,
});

/** The world of the worker: control, store and dead-letter topic recording into `log`, an observer too. */
const world = (scheduler: ReturnType<typeof newScheduler>, storeAnswer: (call: number) => string = () => '-') => {
  const log: string[] = [];
  const control: ConsumerControl = {
    pause: (p) => log.push(`@${scheduler.now()} pause p${p}`),
    resume: (p) => log.push(`@${scheduler.now()} resume p${p}`),
    owns: () => true,
    commit: (offsets) => {
      log.push(`@${scheduler.now()} commit ${offsets.map(([p, next]) => `p${p}→${next}`).join(' ')}`);
      return of(E.right(undefined));
    },
  };
  let calls = 0;
  const process = (results: readonly PspResult[]): Observable<StoreAnswer> =>
    defer(() => {
      calls++;
      log.push(`@${scheduler.now()} store ${results.map((r) => r.source.offset).join(',')}`);
      return storeAnswer(calls) === 'transient'
        ? scheduler.createColdObservable<StoreAnswer>('-(e|)', { e: E.left(transientError) })
        : scheduler.createColdObservable<StoreAnswer>('-(r|)', {
            r: E.right(outcomesFor(['po-missing'])(results)),
          });
    });
  const deadLetter = (letters: readonly DeadLetter[]) =>
    defer(() => {
      log.push(`@${scheduler.now()} dlq ${letters.map((l) => `${l.message.offset}:${l.reason}`).join(',')}`);
      return of(E.right(undefined));
    });
  const observer: WorkerObserver = {
    batch: (batch) => {
      log.push(`@${scheduler.now()} batch ${batch.map((m) => m.offset).join(',')}`);
      return { processed: () => undefined, end: () => undefined };
    },
    retry: (error, attempt, delayMs) =>
      log.push(`@${scheduler.now()} retry ${error.code ?? ''} #${attempt} ${delayMs}ms`),
    commitFailed: () => log.push(`@${scheduler.now()} commit failed`),
  };
  return { log, control, process, deadLetter, observer };
};

describe('pspResultWorker', () => {
  it('runs source → lanes → decode → apply → dead-letter → commit with the injected policies', () => {
    const scheduler = newScheduler();
    const { log, ...deps } = world(scheduler);
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-(abc)----|', {
        a: msg(consumed(10, 'po-1')),
        b: msg(rawRecord(11, 'po-2', '{')),
        c: msg(consumed(12, 'po-3')),
      });
      const out$ = pspResultWorker(source, { ...deps, policies: policies(), scheduler });
      // [10] stored 1→2; [11, 12] (maxBatchSize 2) from 2: 12 stored 2→3, 11 dead-lettered at 3; the last commit at the end
      expectObservable(out$.pipe(map(label))).toBe('--a(bc)---|', {
        a: 'applied:10',
        b: 'applied:12',
        c: 'dlq:11:invalid-json',
      });
    });
    expect(log).toEqual([
      '@1 batch 10',
      '@1 store 10',
      '@2 batch 11,12',
      '@2 store 12',
      '@3 dlq 11:invalid-json',
      '@10 commit p3→13',
    ]);
  });

  it('completes after its last commit when the source is empty', () => {
    const scheduler = newScheduler();
    const { log, ...deps } = world(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(pspResultWorker(cold<SourceEvent>('--|'), { ...deps, policies: policies(), scheduler })).toBe(
        '--|',
      );
    });
    expect(log).toEqual([]);
  });

  it('retries a transient store error with the transient backoff and tells the observer', () => {
    const scheduler = newScheduler();
    const { log, ...deps } = world(scheduler, (call) => (call === 1 ? 'transient' : 'ok'));
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-------|', { a: msg(consumed(10, 'po-1')) });
      // store at 1, refused at 2, waits 5, store at 7, resolved at 8
      expectObservable(pspResultWorker(source, { ...deps, policies: policies(), scheduler }).pipe(map(label))).toBe(
        '--------a|',
        { a: 'applied:10' },
      );
    });
    expect(log).toEqual([
      '@1 batch 10',
      '@1 store 10',
      '@2 retry store-transient #1 5ms',
      '@7 store 10',
      '@9 commit p3→11',
    ]);
  });

  it('waits for an unknown order as the unknown-order policy says, then dead-letters it', () => {
    const scheduler = newScheduler();
    const { log, ...deps } = world(scheduler);
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-----------------------------------------------------------|', {
        a: msg(consumed(10, 'po-missing')),
      });
      // store at 1 (resolved 2), waits 50, store at 52 (53): retries spent, dead-lettered
      expectObservable(pspResultWorker(source, { ...deps, policies: policies(), scheduler }).pipe(map(label))).toBe(
        '53ms a-------|',
        { a: 'dlq:10:unknown-order' },
      );
    });
    expect(log).toEqual(['@1 batch 10', '@1 store 10', '@52 store 10', '@53 dlq 10:unknown-order', '@61 commit p3→11']);
  });

  it('drops its lanes, committing nothing, when unsubscribed', () => {
    const scheduler = newScheduler();
    const { log, ...deps } = world(scheduler);
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a----|', { a: msg(consumed(10, 'po-missing')) });
      expectObservable(pspResultWorker(source, { ...deps, policies: policies(), scheduler }), '^--!').toBe('---');
    });
    expect(log).toEqual(['@1 batch 10', '@1 store 10']);
  });
});
