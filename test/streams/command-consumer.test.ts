import * as E from 'fp-ts/lib/Either.js';
import { defer, of, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { decodeTracedCommand, type TracedCommand } from '../../src/publisher/traced-command.js';
import { commandConsumer, type CommandConsumerPolicies } from '../../src/streams/command-consumer.js';
import type { ConsumedMessage, DeadLetter, SourceEvent } from '../../src/streams/consumed-message.js';
import type { ConsumerControl } from '../../src/streams/consumer-control.js';
import { commandRecord, created } from '../support/command-records.js';
import { newScheduler } from '../support/lane-batch.js';
import { rawRecord } from '../support/lane-records.js';

const msg = (m: ConsumedMessage): SourceEvent => ({ _tag: 'Message', message: m });

const policies: CommandConsumerPolicies = {
  // dead-letter retries: 5, 10, 20 ms… with random 0.5
  transientRetry: { baseMs: 10, capMs: 1_000 },
  lanes: { maxBatchSize: 2, maxInFlightPerPartition: 100 },
  commit: { intervalMs: 1_000, every: 1_000 },
  random: () => 0.5,
};

/** The world of the executor's consumer: control, executor and dead-letter topic recording into `log`. */
const world = (scheduler: ReturnType<typeof newScheduler>, executing: () => string = () => '--(r|)') => {
  const log: string[] = [];
  // No partition reaches its in-flight bound here: pausing is the admit stage's, specified with it.
  const control: ConsumerControl = {
    pause: () => undefined,
    resume: () => undefined,
    owns: () => true,
    commit: (offsets) => {
      log.push(`@${scheduler.now()} commit ${offsets.map(([p, next]) => `p${p}→${next}`).join(' ')}`);
      return of(E.right(undefined));
    },
  };
  const execute = (commands: readonly TracedCommand[]): Observable<unknown> =>
    defer(() => {
      log.push(`@${scheduler.now()} execute ${commands.map((c) => c.command.paymentOrderId).join(',')}`);
      return scheduler.createColdObservable(executing(), { r: [] }, new Error('outbox refused a result'));
    });
  const deadLetter = (letters: readonly DeadLetter[]) =>
    defer(() => {
      log.push(`@${scheduler.now()} dlq ${letters.map((l) => `${l.message.offset}:${l.reason}`).join(',')}`);
      return of(E.right(undefined));
    });
  return { log, deps: { control, execute, deadLetter, decode: decodeTracedCommand, policies, scheduler } };
};

describe('commandConsumer', () => {
  it('runs source → lanes → decode → dead-letter → execute → commit, emitting each message once done', () => {
    const scheduler = newScheduler();
    const { log, deps } = world(scheduler);
    const [a, b, c] = [
      commandRecord(10, created('po-1')),
      rawRecord(11, 'po-2', '{'),
      commandRecord(12, created('po-3')),
    ];
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-(abc)----|', { a: msg(a), b: msg(b), c: msg(c) });
      // [10] executed 1→3; [11, 12] (maxBatchSize 2) from 3: 11 dead-lettered at 3, 12 executed 3→5; the last commit at the end
      expectObservable(commandConsumer(source, deps)).toBe('---a-(bc)-|', { a, b, c });
    });
    expect(log).toEqual(['@1 execute po-1', '@3 dlq 11:invalid-json', '@3 execute po-3', '@10 commit p3→13']);
  });

  it('completes with nothing to execute or commit when the source is empty', () => {
    const scheduler = newScheduler();
    const { log, deps } = world(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(commandConsumer(cold<SourceEvent>('|'), deps)).toBe('|');
    });
    expect(log).toEqual([]);
  });

  it('errors, committing nothing of the batch, when an execution fails', () => {
    const scheduler = newScheduler();
    const { log, deps } = world(scheduler, () => '-#');
    scheduler.run(({ hot, expectObservable }) => {
      const source = hot('-a---', { a: msg(commandRecord(20, created('po-2'))) });
      expectObservable(commandConsumer(source, deps)).toBe('--#', undefined, new Error('outbox refused a result'));
    });
    expect(log).toEqual(['@1 execute po-2']);
  });
});
