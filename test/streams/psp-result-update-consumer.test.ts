import * as E from 'fp-ts/lib/Either.js';
import { defer, EMPTY, from, ignoreElements, map, merge, mergeMap, NEVER, of, tap, timer, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { decodePspResultUpdate, type PspResultUpdateEvent } from '../../src/codecs/index.js';
import type { Outcome, PspResult, StoreError } from '../../src/state/index.js';
import { applyBatch } from '../../src/streams/apply-batch.js';
import type { ConsumedMessage, Processed, SourceEvent } from '../../src/streams/consumed-message.js';
import { OffsetLedger } from '../../src/streams/offset-ledger.js';
import {
  messageOf,
  pspResultUpdateConsumer,
  type ConsumerControl,
  type ConsumerPipelineConfig,
  type ConsumerPipelineDeps,
} from '../../src/streams/psp-result-update-consumer.js';
import { consumedRecord, successFor } from '../support/consumed-records.js';

// ---- fixtures ----

const topic = 'psp-results';

const eventFor = (id: string): PspResultUpdateEvent => successFor(id);

/** A consumed record carrying a real encoded event for order `po-<partition>-<offset>`. */
const message = (partition: number, offset: number): ConsumedMessage =>
  consumedRecord({ topic, partition, offset }, eventFor(`po-${partition}-${offset}`));

const msg = (partition: number, offset: number): SourceEvent => ({
  _tag: 'Message',
  message: message(partition, offset),
});
const revoked = (...partitions: number[]): SourceEvent => ({ _tag: 'Revoked', partitions });

const appliedOutcome: Outcome = { _tag: 'Applied', to: 'SUCCESSFUL' };

const appliedOf = (m: ConsumedMessage): Processed => ({
  _tag: 'Applied',
  message: m,
  event: eventFor(`po-${m.partition}-${m.offset}`),
  outcome: appliedOutcome,
});
const deadLetteredOf = (m: ConsumedMessage): Processed => ({
  _tag: 'DeadLettered',
  letter: { message: m, reason: 'schema-violation', description: 'value violates the event schema' },
});

/** `p0:1` for an applied message, `p0:1 dlq` for a dead-lettered one. */
const label = (p: Processed): string => {
  const m = messageOf(p);
  return `p${m.partition}:${m.offset}${p._tag === 'DeadLettered' ? ' dlq' : ''}`;
};

const newScheduler = (): TestScheduler =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });

// ---- fakes ----

/**
 * A ConsumerControl recording what the pipeline asks of Kafka into `log`, as `@<frame> pause p0`,
 * `@<frame> resume p0`, `@<frame> commit p0→3 p1→1`. Commits succeed at once unless `commitAnswer` says
 * otherwise. Every partition is owned unless listed in `lost` (the test adds and removes partitions as the
 * group would); a commit for a lost partition is logged as `@<frame> COMMIT OF LOST p0→3`.
 */
const fakeControl = (
  scheduler: TestScheduler,
  log: string[],
  commitAnswer: (call: number) => Observable<E.Either<unknown, void>> = () => of(E.right(undefined)),
) => {
  const commits: { at: number; offsets: (readonly [number, number])[] }[] = [];
  const lost = new Set<number>();
  const control: ConsumerControl = {
    pause: (p) => log.push(`@${scheduler.now()} pause p${p}`),
    resume: (p) => log.push(`@${scheduler.now()} resume p${p}`),
    owns: (p) => !lost.has(p),
    commit: (offsets) => {
      commits.push({ at: scheduler.now(), offsets: [...offsets] });
      for (const [p, next] of offsets) if (lost.has(p)) log.push(`@${scheduler.now()} COMMIT OF LOST p${p}→${next}`);
      log.push(`@${scheduler.now()} commit ${offsets.map(([p, next]) => `p${p}→${next}`).join(' ')}`);
      return commitAnswer(commits.length);
    },
  };
  return { control, commits, lost };
};

interface BatchRecord {
  readonly partition: number;
  readonly offsets: readonly number[];
  readonly start: number;
  end?: number;
  cancelled?: number;
}

/**
 * An applyBatch standing in for the store: a batch of partition p takes `durationOf(p)` frames, then emits every
 * message at once (a message for which `deadLetters` holds as DeadLettered). With `messageDelayOf`, each message
 * is emitted on its own after its own delay instead. Records batches and when each message was emitted.
 */
const fakeApplyBatch = (
  scheduler: TestScheduler,
  opts: {
    readonly durationOf?: (partition: number) => number;
    readonly messageDelayOf?: (m: ConsumedMessage) => number;
    readonly deadLetters?: (m: ConsumedMessage) => boolean;
    readonly failsAt?: (partition: number) => Error | undefined;
  } = {},
) => {
  const batches: BatchRecord[] = [];
  const emittedAt = new Map<string, number>();
  const processedOf = (m: ConsumedMessage): Processed =>
    opts.deadLetters?.(m) === true ? deadLetteredOf(m) : appliedOf(m);
  const apply = (batch: readonly ConsumedMessage[]): Observable<Processed> =>
    defer(() => {
      const partition = batch[0]?.partition ?? -1;
      const record: BatchRecord = { partition, offsets: batch.map((m) => Number(m.offset)), start: scheduler.now() };
      batches.push(record);
      const failure = opts.failsAt?.(partition);
      const { messageDelayOf } = opts;
      const work$: Observable<Processed> =
        messageDelayOf !== undefined
          ? merge(...batch.map((m) => timer(messageDelayOf(m), scheduler).pipe(map(() => processedOf(m)))))
          : timer(opts.durationOf?.(partition) ?? 3, scheduler).pipe(
              mergeMap(() => {
                if (failure !== undefined) throw failure;
                return from(batch.map(processedOf));
              }),
            );
      return work$.pipe(
        tap({
          next: (p) => emittedAt.set(label(p).split(' ')[0] ?? '', scheduler.now()),
          complete: () => (record.end = scheduler.now()),
          unsubscribe: () => (record.cancelled = scheduler.now()),
        }),
      );
    });
  return { apply, batches, emittedAt };
};

const defaultConfig: ConsumerPipelineConfig = {
  maxInFlightPerPartition: 100,
  maxBatchSize: 100,
  commitIntervalMs: 1_000,
  commitEvery: 1_000,
};

/** The pipeline under test wired to the fakes: a fresh ledger, and the default config with `config` laid over. */
const consumerUnderTest = (
  source: Observable<SourceEvent>,
  wiring: Pick<ConsumerPipelineDeps, 'control' | 'scheduler' | 'onCommitFailed'> & {
    readonly apply: ConsumerPipelineDeps['applyBatch'];
    readonly config?: Partial<ConsumerPipelineConfig>;
  },
): Observable<Processed> =>
  pspResultUpdateConsumer(source, {
    control: wiring.control,
    ledger: new OffsetLedger(),
    applyBatch: wiring.apply,
    config: { ...defaultConfig, ...wiring.config },
    scheduler: wiring.scheduler,
    onCommitFailed: wiring.onCommitFailed,
  });

/** Every committed offset covers only messages emitted (their batch done) at or before the commit. */
const expectCommitsCoverOnlyEmitted = (
  commits: readonly { at: number; offsets: readonly (readonly [number, number])[] }[],
  admitted: readonly ConsumedMessage[],
  emittedAt: ReadonlyMap<string, number>,
): void => {
  for (const { at, offsets } of commits) {
    for (const [partition, next] of offsets) {
      for (const m of admitted.filter((a) => a.partition === partition && Number(a.offset) < next)) {
        const key = `p${partition}:${m.offset}`;
        expect(emittedAt.get(key), `${key} emitted before the commit at ${at}`).toBeLessThanOrEqual(at);
      }
    }
  }
};

describe('pspResultUpdateConsumer', () => {
  it('processes the messages of one partition in offset order, one batch at a time', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply, batches } = fakeApplyBatch(scheduler, { durationOf: () => 3 });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-abc-------|', { a: msg(0, 0), b: msg(0, 1), c: msg(0, 2) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply });
      // [0] runs 1→4; 1 and 2 queue meanwhile and run together 4→7
      expectObservable(out$.pipe(map(label))).toBe('----a--(bc)|', { a: 'p0:0', b: 'p0:1', c: 'p0:2' });
    });
    expect(batches).toEqual([
      { partition: 0, offsets: [0], start: 1, end: 4 },
      { partition: 0, offsets: [1, 2], start: 4, end: 7 },
    ]);
    // the final commit covers everything, before the output completes
    expect(log).toEqual(['@11 commit p0→3']);
  });

  it('never runs two batches of one partition at once, even with many messages', () => {
    const scheduler = newScheduler();
    const { control } = fakeControl(scheduler, []);
    const { apply, batches } = fakeApplyBatch(scheduler, { durationOf: () => 4 });
    const emitted: string[] = [];
    scheduler.run(({ hot, expectObservable }) => {
      const events = Object.fromEntries(
        ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((c, i) => [c, msg(0, i)]),
      );
      const source = hot('-abcdefghij-----------|', events);
      const out$ = consumerUnderTest(source, { scheduler, control, apply, config: { maxBatchSize: 3 } });
      expectObservable(
        out$.pipe(
          tap((p) => emitted.push(`@${scheduler.now()} ${label(p)}`)),
          ignoreElements(),
        ),
      ).toBe('22ms |');
    });
    // [0] 1→5; then full batches of 3 of what queued meanwhile, each starting when the previous ended
    expect(batches).toEqual([
      { partition: 0, offsets: [0], start: 1, end: 5 },
      { partition: 0, offsets: [1, 2, 3], start: 5, end: 9 },
      { partition: 0, offsets: [4, 5, 6], start: 9, end: 13 },
      { partition: 0, offsets: [7, 8, 9], start: 13, end: 17 },
    ]);
    expect(emitted).toEqual([
      '@5 p0:0',
      '@9 p0:1',
      '@9 p0:2',
      '@9 p0:3',
      '@13 p0:4',
      '@13 p0:5',
      '@13 p0:6',
      '@17 p0:7',
      '@17 p0:8',
      '@17 p0:9',
    ]);
    const offsets = batches.flatMap((b) => b.offsets);
    expect(offsets).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const [i, b] of batches.entries()) {
      const previous = batches[i - 1];
      if (previous !== undefined) expect(b.start).toBeGreaterThanOrEqual(previous.end ?? Infinity);
    }
  });

  it('runs batches of different partitions in parallel', () => {
    const scheduler = newScheduler();
    const { control } = fakeControl(scheduler, []);
    const { apply, batches } = fakeApplyBatch(scheduler, { durationOf: (p) => (p === 0 ? 6 : 3) });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-ab-------|', { a: msg(0, 0), b: msg(1, 0) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply });
      // p1's batch starts while p0's runs, and finishes first
      expectObservable(out$.pipe(map(label))).toBe('-----b-a--|', { a: 'p0:0', b: 'p1:0' });
    });
    expect(batches).toEqual([
      { partition: 0, offsets: [0], start: 1, end: 7 },
      { partition: 1, offsets: [0], start: 2, end: 5 },
    ]);
  });

  it('commits an offset only after the batch holding its message emitted (commitEvery 1)', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control, commits } = fakeControl(scheduler, log);
    const { apply, emittedAt } = fakeApplyBatch(scheduler, { durationOf: (p) => (p === 0 ? 3 : 4) });
    const admitted = [message(0, 0), message(1, 0), message(0, 1), message(1, 1)];
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-abcd-----------|', { a: msg(0, 0), b: msg(1, 0), c: msg(0, 1), d: msg(1, 1) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply, config: { commitEvery: 1 } });
      // p0: [0] 1→4, [1] 4→7; p1: [0] 2→6, [1] 6→10
      expectObservable(out$.pipe(map(label))).toBe('----a-bc--d-----|', {
        a: 'p0:0',
        b: 'p1:0',
        c: 'p0:1',
        d: 'p1:1',
      });
    });
    expect(log).toEqual(['@4 commit p0→1', '@6 commit p1→1', '@7 commit p0→2', '@10 commit p1→2']);
    expectCommitsCoverOnlyEmitted(commits, admitted, emittedAt);
  });

  it('commits nothing past an unfinished message: offsets 0, 1, 2 where 1 finishes last commit 1, then 3', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control, commits } = fakeControl(scheduler, log);
    // 0 takes 3 frames; then 1 and 2 run as one batch where 2 is done after 2 frames and 1 after 6
    const delays: Record<string, number> = { '0': 3, '1': 6, '2': 2 };
    const { apply, emittedAt, batches } = fakeApplyBatch(scheduler, { messageDelayOf: (m) => delays[m.offset] ?? 0 });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-abc----------|', { a: msg(0, 0), b: msg(0, 1), c: msg(0, 2) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply, config: { commitEvery: 1 } });
      expectObservable(out$.pipe(map(label))).toBe('----a-c---b---|', { a: 'p0:0', b: 'p0:1', c: 'p0:2' });
    });
    expect(batches.map((b) => b.offsets)).toEqual([[0], [1, 2]]);
    expect(log).toEqual(['@4 commit p0→1', '@10 commit p0→3']);
    expectCommitsCoverOnlyEmitted(
      commits,
      [0, 1, 2].map((o) => message(0, o)),
      emittedAt,
    );
  });

  it('holds the commit at the gap on every interval tick too', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const delays: Record<string, number> = { '0': 3, '1': 6, '2': 2 };
    const { apply } = fakeApplyBatch(scheduler, { messageDelayOf: (m) => delays[m.offset] ?? 0 });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-abc---------------|', { a: msg(0, 0), b: msg(0, 1), c: msg(0, 2) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply, config: { commitIntervalMs: 5 } });
      expectObservable(out$.pipe(map(label))).toBe('----a-c---b--------|', { a: 'p0:0', b: 'p0:1', c: 'p0:2' });
    });
    // ticks at 5, 10, 15: the tick at 5 sees 0 done, 2 is done at 6 but 1 only at 10; never p0→2 nor p0→3 before 10
    expect(log).toEqual(['@5 commit p0→1', '@10 commit p0→3']);
  });

  it('counts a dead-lettered message as done: it is committed like an applied one', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply } = fakeApplyBatch(scheduler, { durationOf: () => 3, deadLetters: (m) => m.offset === '1' });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a---b-----|', { a: msg(0, 0), b: msg(0, 1) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply, config: { commitEvery: 1 } });
      expectObservable(out$.pipe(map(label))).toBe('----a---b--|', { a: 'p0:0', b: 'p0:1 dlq' });
    });
    expect(log).toEqual(['@4 commit p0→1', '@8 commit p0→2']);
  });

  it('with the real applyBatch, retries a transient store error and commits only once the retried write resolved', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const transient: StoreError = {
      _tag: 'StoreError',
      code: 'store-transient',
      retryable: true,
      message: 'not primary',
      cause: undefined,
    };
    const storeCalls: [number, string[]][] = [];
    const process = (results: readonly PspResult[]) =>
      defer(() => {
        storeCalls.push([scheduler.now(), results.map((r) => r.source.offset)]);
        return storeCalls.length === 1
          ? scheduler.createColdObservable('--(e|)', { e: E.left(transient) })
          : scheduler.createColdObservable('---(r|)', { r: E.right(results.map(() => appliedOutcome)) });
      });
    const deadLettered: unknown[] = [];
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a------------|', { a: msg(0, 0) });
      const out$ = pspResultUpdateConsumer(source, {
        control,
        ledger: new OffsetLedger(),
        applyBatch: (batch) =>
          applyBatch(batch, {
            decode: (m) => decodePspResultUpdate(m),
            traceIdOf: () => undefined,
            process,
            deadLetter: (letters) => {
              deadLettered.push(...letters);
              return of(E.right(undefined));
            },
            retry: { backoff: { baseMs: 10, capMs: 1_000 }, random: () => 0.5, scheduler },
            unknownOrderRetries: 0,
            unknownOrderBackoff: { baseMs: 10, capMs: 10 },
          }),
        config: { ...defaultConfig, commitEvery: 1 },
        scheduler,
      });
      // store at 1, refused at 3, waits 5, store at 8, resolved at 11
      expectObservable(out$.pipe(map(label))).toBe('11ms a--|', { a: 'p0:0' });
    });
    expect(storeCalls).toEqual([
      [1, ['0']],
      [8, ['0']],
    ]);
    expect(log).toEqual(['@11 commit p0→1']);
    expect(deadLettered).toEqual([]);
  });

  it('pauses a partition when maxInFlightPerPartition are in flight and resumes it once drained to half', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply } = fakeApplyBatch(scheduler, { durationOf: () => 5 });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-abcx----------|', { a: msg(0, 0), b: msg(0, 1), c: msg(0, 2), x: msg(1, 0) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply, config: { maxInFlightPerPartition: 2 } });
      // p0: [0] 1→6, [1,2] 6→11; p1: [0] 4→9
      expectObservable(out$.pipe(map(label))).toBe('------a--x-(bc)|', { a: 'p0:0', b: 'p0:1', c: 'p0:2', x: 'p1:0' });
    });
    // paused at 2 (two in flight); at 6 two are still in flight; at 11 offset 1 leaves one: resumed
    expect(log).toEqual(['@2 pause p0', '@11 resume p0', '@15 commit p0→3 p1→1']);
  });

  it('pauses again when the partition fills up again after a resume', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply } = fakeApplyBatch(scheduler, { durationOf: () => 3 });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-ab-----cd------|', { a: msg(0, 0), b: msg(0, 1), c: msg(0, 2), d: msg(0, 3) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply, config: { maxInFlightPerPartition: 2 } });
      expectObservable(out$.pipe(map(label))).toBe('----a--b---c--d-|', { a: 'p0:0', b: 'p0:1', c: 'p0:2', d: 'p0:3' });
    });
    expect(log).toEqual(['@2 pause p0', '@4 resume p0', '@9 pause p0', '@11 resume p0', '@16 commit p0→4']);
  });

  it('on revocation commits the done offsets of the partition, abandons its unfinished work and resumes it', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply, batches } = fakeApplyBatch(scheduler, { durationOf: (p) => (p === 0 ? 3 : 8) });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-abcx-R-------|', {
        a: msg(0, 0),
        b: msg(0, 1),
        c: msg(0, 2),
        x: msg(1, 0),
        R: revoked(0),
      });
      const out$ = consumerUnderTest(source, { scheduler, control, apply, config: { maxInFlightPerPartition: 2 } });
      // p0: [0] 1→4, [1,2] 4→7 but revoked at 6; p1: [0] 4→12
      expectObservable(out$.pipe(map(label))).toBe('----a-------x-|', { a: 'p0:0', x: 'p1:0' });
    });
    expect(batches).toEqual([
      { partition: 0, offsets: [0], start: 1, end: 4 },
      { partition: 1, offsets: [0], start: 4, end: 12 },
      { partition: 0, offsets: [1, 2], start: 4, cancelled: 6 },
    ]);
    // p0's done offset 0 is committed at the revocation; 1 and 2 are never committed (their write never resolved)
    expect(log).toEqual(['@2 pause p0', '@6 resume p0', '@6 commit p0→1', '@14 commit p1→1']);
  });

  it('commits nothing for a revoked partition that had nothing done, and keeps other partitions going', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply } = fakeApplyBatch(scheduler, { durationOf: () => 5 });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-ab-R-----|', { a: msg(0, 7), b: msg(1, 3), R: revoked(0) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply });
      expectObservable(out$.pipe(map(label))).toBe('-------b--|', { b: 'p1:3' });
    });
    expect(log).toEqual(['@10 commit p1→4']);
  });

  it('processes redelivered messages of a partition assigned again after its revocation', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply } = fakeApplyBatch(scheduler, { durationOf: () => 3 });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-ab--R-b-------|', { a: msg(0, 0), b: msg(0, 1), R: revoked(0) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply });
      // [0] 1→4; [1] 4→7 revoked at 5; redelivered 1 at 7 → 10
      expectObservable(out$.pipe(map(label))).toBe('----a-----b----|', { a: 'p0:0', b: 'p0:1' });
    });
    expect(log).toEqual(['@5 commit p0→1', '@15 commit p0→2']);
  });

  it('never commits below its own last commit after a reassignment, and skips redelivered finished messages', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply, batches } = fakeApplyBatch(scheduler, { durationOf: () => 2 });
    scheduler.run(({ hot, expectObservable }) => {
      // 0, 1, 2 done by 7 and committed at the revocation (p0→3); kafkajs read the committed offset before that
      // commit landed and redelivers from 1
      const source = hot('-abc----R-bcd-------|', {
        a: msg(0, 0),
        b: msg(0, 1),
        c: msg(0, 2),
        d: msg(0, 3),
        R: revoked(0),
      });
      const out$ = consumerUnderTest(source, { scheduler, control, apply });
      expectObservable(out$.pipe(map(label))).toBe('---a-(bc)-----d-----|', {
        a: 'p0:0',
        b: 'p0:1',
        c: 'p0:2',
        d: 'p0:3',
      });
    });
    expect(batches.map((b) => b.offsets)).toEqual([[0], [1, 2], [3]]);
    expect(log).toEqual(['@8 commit p0→3', '@20 commit p0→4']);
  });

  it('commits its last offset once more when a reassigned partition is redelivered from below it, and nothing new came', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply, batches } = fakeApplyBatch(scheduler, { durationOf: () => 2 });
    scheduler.run(({ hot, expectObservable }) => {
      // p0→3 committed at the revocation; then a member back from a long pause committed older work (the group
      // is at 1), so the partition comes back from 1: the group's offset must not stay behind at 1.
      const source = hot('-abc----R-bc-------|', { a: msg(0, 0), b: msg(0, 1), c: msg(0, 2), R: revoked(0) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply });
      expectObservable(out$.pipe(map(label))).toBe('---a-(bc)----------|', { a: 'p0:0', b: 'p0:1', c: 'p0:2' });
    });
    expect(batches.map((b) => b.offsets)).toEqual([[0], [1, 2]]);
    expect(log).toEqual(['@8 commit p0→3', '@19 commit p0→3']);
  });

  it('stops a lane and commits its finished work when a rebalance starts; commits nothing more after losing it', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control, lost } = fakeControl(scheduler, log);
    const { apply, batches } = fakeApplyBatch(scheduler, { durationOf: (p) => (p === 0 ? 3 : 12) });
    scheduler.run(({ hot, expectObservable }) => {
      // the source revokes every partition at REBALANCING (R, frame 6) while p0's second batch runs; the join
      // (frame 8) gives back only p1 and redelivers its message
      const source = hot('-abx--R-x------|', { a: msg(0, 0), b: msg(0, 1), x: msg(1, 0), R: revoked(0, 1) });
      scheduler.schedule(() => lost.add(0), 7);
      const out$ = consumerUnderTest(source, { scheduler, control, apply, config: { commitIntervalMs: 3 } });
      expectObservable(out$.pipe(map(label))).toBe('----a---------------(x|)', { a: 'p0:0', x: 'p1:0' });
    });
    expect(batches).toEqual([
      { partition: 0, offsets: [0], start: 1, end: 4 },
      { partition: 1, offsets: [0], start: 3, cancelled: 6 },
      { partition: 0, offsets: [1], start: 4, cancelled: 6 },
      { partition: 1, offsets: [0], start: 8, end: 20 },
    ]);
    expect(log).toEqual(['@6 commit p0→1', '@20 commit p1→1']);
  });

  it('while draining after the source completed, commits nothing for a partition lost meanwhile', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control, lost } = fakeControl(scheduler, log);
    const { apply } = fakeApplyBatch(scheduler, { durationOf: (p) => (p === 0 ? 10 : 3) });
    scheduler.run(({ hot, expectObservable }) => {
      // stop at 3: p0's batch (1→11) and p1's (2→5) drain; p0 is lost at 8 (another member joined)
      const source = hot('-ab|', { a: msg(0, 0), b: msg(1, 0) });
      scheduler.schedule(() => lost.add(0), 8);
      const out$ = consumerUnderTest(source, { scheduler, control, apply, config: { commitIntervalMs: 4 } });
      expectObservable(out$.pipe(map(label))).toBe('-----b-----(a|)', { a: 'p0:0', b: 'p1:0' });
    });
    // p1 is committed at the tick of 8; p0's drained work is never committed, not even by the final commit
    expect(log).toEqual(['@8 commit p1→1']);
  });

  it('on source completion drains what is queued, then makes a final commit covering it, then completes', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply } = fakeApplyBatch(scheduler, { durationOf: (p) => (p === 0 ? 4 : 2) });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-abcd|', { a: msg(0, 0), b: msg(0, 1), c: msg(0, 2), d: msg(1, 5) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply });
      // p0: [0] 1→5, [1,2] 5→9; p1: [5] 4→6
      expectObservable(out$.pipe(tap({ complete: () => log.push(`@${scheduler.now()} complete`) }), map(label))).toBe(
        '-----ad--(bc|)',
        { a: 'p0:0', b: 'p0:1', c: 'p0:2', d: 'p1:5' },
      );
    });
    expect(log).toEqual(['@9 commit p0→3 p1→6', '@9 complete']);
  });

  it('commits every commitEvery done messages, well before the interval', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply } = fakeApplyBatch(scheduler, { durationOf: () => 2 });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a---b---c---d------|', { a: msg(0, 0), b: msg(0, 1), c: msg(0, 2), d: msg(0, 3) });
      const out$ = consumerUnderTest(source, {
        scheduler,
        control,
        apply,
        config: { commitEvery: 2, commitIntervalMs: 100 },
      });
      expectObservable(out$.pipe(map(label))).toBe('---a---b---c---d----|', {
        a: 'p0:0',
        b: 'p0:1',
        c: 'p0:2',
        d: 'p0:3',
      });
    });
    expect(log).toEqual(['@7 commit p0→2', '@15 commit p0→4']);
  });

  it('commits what is done on every interval tick', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply } = fakeApplyBatch(scheduler, { durationOf: () => 2 });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a----------b------------|', { a: msg(0, 0), b: msg(0, 1) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply, config: { commitIntervalMs: 10 } });
      expectObservable(out$.pipe(map(label))).toBe('---a----------b----------|', { a: 'p0:0', b: 'p0:1' });
    });
    // ticks at 10 and 20 commit; the tick at 30 never comes (the pipeline completed at 25 with nothing left)
    expect(log).toEqual(['@10 commit p0→1', '@20 commit p0→2']);
  });

  it('reports a failed commit and offers the offsets again at the next commit', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const refusal = { code: 'rebalance-in-progress' };
    const { control } = fakeControl(scheduler, log, (call) => of(call === 1 ? E.left(refusal) : E.right(undefined)));
    const failures: unknown[] = [];
    const { apply } = fakeApplyBatch(scheduler, { durationOf: () => 2 });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-----------|', { a: msg(0, 0) });
      const out$ = consumerUnderTest(source, {
        scheduler,
        control,
        apply,
        config: { commitIntervalMs: 5 },
        onCommitFailed: (e) => failures.push(e),
      });
      expectObservable(out$.pipe(map(label))).toBe('---a---------|', { a: 'p0:0' });
    });
    expect(log).toEqual(['@5 commit p0→1', '@10 commit p0→1']);
    expect(failures).toEqual([refusal]);
  });

  it('does not overlap commits: a slow commit swallows the triggers that come while it runs', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log, () =>
      scheduler.createColdObservable('----(r|)', { r: E.right(undefined) as E.Either<unknown, void> }),
    );
    const { apply } = fakeApplyBatch(scheduler, { durationOf: () => 1 });
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a-b--c-----|', { a: msg(0, 0), b: msg(0, 1), c: msg(0, 2) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply, config: { commitEvery: 1 } });
      // done at 2, 4, 7: the commit sent at 2 runs until 6, so the trigger at 4 is dropped; 7 commits all
      expectObservable(out$.pipe(map(label))).toBe('--a-b--c----|', { a: 'p0:0', b: 'p0:1', c: 'p0:2' });
    });
    expect(log).toEqual(['@2 commit p0→1', '@7 commit p0→3']);
  });

  it('completes at once, committing nothing, for an empty source', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply, batches } = fakeApplyBatch(scheduler);
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<SourceEvent>('---|');
      const out$ = consumerUnderTest(source, { scheduler, control, apply });
      expectObservable(out$).toBe('---|');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(log).toEqual([]);
    expect(batches).toEqual([]);
  });

  it('subscribes to the source once, even when it completes as soon as subscribed', () => {
    const scheduler = newScheduler();
    let subscriptions = 0;
    const { control } = fakeControl(scheduler, []);
    const { apply } = fakeApplyBatch(scheduler);
    scheduler.run(({ expectObservable }) => {
      const source: Observable<SourceEvent> = defer(() => {
        subscriptions++;
        return EMPTY;
      });
      const out$ = consumerUnderTest(source, { scheduler, control, apply });
      expectObservable(out$).toBe('|');
    });
    expect(subscriptions).toBe(1);
  });

  it('processes each message of a synchronous source once', () => {
    const log: string[] = [];
    const ledger = new OffsetLedger();
    const control: ConsumerControl = {
      pause: () => undefined,
      resume: () => undefined,
      owns: () => true,
      commit: (offsets) => {
        log.push(`commit ${offsets.map(([p, n]) => `p${p}→${n}`).join(' ')}`);
        return of(E.right(undefined));
      },
    };
    const applied: string[] = [];
    const out: string[] = [];
    pspResultUpdateConsumer(of(msg(0, 0), msg(0, 1)), {
      control,
      ledger,
      applyBatch: (batch) =>
        defer(() => {
          applied.push(...batch.map((m) => m.offset));
          return from(batch.map(appliedOf));
        }),
      config: defaultConfig,
    }).subscribe((p) => out.push(label(p)));
    expect(applied).toEqual(['0', '1']);
    expect(out).toEqual(['p0:0', 'p0:1']);
    expect(log).toEqual(['commit p0→2']);
  });

  it('errors when a batch errors, committing nothing of it and dropping the source', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const failure = new Error('dead-letter publish failed: topic authorization failed');
    const { apply } = fakeApplyBatch(scheduler, {
      durationOf: (p) => (p === 0 ? 4 : 5),
      failsAt: (p) => (p === 1 ? failure : undefined),
    });
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-ab-c----|', { a: msg(0, 0), b: msg(1, 0), c: msg(0, 1) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply, config: { commitEvery: 1 } });
      // p0: [0] 1→5, [1] 5→9; p1: [0] 2→7 fails
      expectObservable(out$.pipe(map(label))).toBe('-----a-#', { a: 'p0:0' }, failure);
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
    // p0:0 was committed as soon as done; p0:1 (still running at 7) and p1:0 (failed) never are
    expect(log).toEqual(['@5 commit p0→1']);
  });

  it('errors when the source errors', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply, batches } = fakeApplyBatch(scheduler, { durationOf: () => 5 });
    const failure = new Error('consumer crashed');
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a--#', { a: msg(0, 0) }, failure);
      const out$ = consumerUnderTest(source, { scheduler, control, apply });
      expectObservable(out$).toBe('----#', undefined, failure);
    });
    expect(batches).toEqual([{ partition: 0, offsets: [0], start: 1, cancelled: 4 }]);
    expect(log).toEqual([]);
  });

  it('when unsubscribed, stops the running batches and the source and commits nothing more', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const { control } = fakeControl(scheduler, log);
    const { apply, batches } = fakeApplyBatch(scheduler, { durationOf: () => 5 });
    scheduler.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-ab-----c--|', { a: msg(0, 0), b: msg(1, 0), c: msg(0, 1) });
      const out$ = consumerUnderTest(source, { scheduler, control, apply, config: { commitIntervalMs: 2 } });
      expectObservable(out$, '^---!').toBe('-----');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
    expect(batches).toEqual([
      { partition: 0, offsets: [0], start: 1, cancelled: 4 },
      { partition: 1, offsets: [0], start: 2, cancelled: 4 },
    ]);
    expect(log).toEqual([]);
  });
});

describe('pspResultUpdateConsumer commits that hang', () => {
  it('gives up on a commit that gets no answer and offers the same offsets again at the next tick', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const failures: unknown[] = [];
    // the first commit never answers (broker away); later ones succeed
    const { control } = fakeControl(scheduler, log, (call) => (call === 1 ? NEVER : of(E.right(undefined))));
    const { apply } = fakeApplyBatch(scheduler, { durationOf: () => 1 });
    scheduler.run(({ hot }) => {
      const source = hot('a 80ms |', { a: msg(0, 0) });
      consumerUnderTest(source, {
        scheduler,
        control,
        apply,
        config: { commitIntervalMs: 10, commitTimeoutMs: 25 },
        onCommitFailed: (e) => failures.push(e),
      }).subscribe();
    });
    // sent at 10, given up at 35 (ticks at 20 and 30 wait for it), sent again at the tick of 40
    expect(failures).toHaveLength(1);
    expect(log.filter((l) => l.includes('commit'))).toEqual(['@10 commit p0→1', '@40 commit p0→1']);
  });
});
