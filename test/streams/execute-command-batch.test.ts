import * as E from 'fp-ts/lib/Either.js';
import { defer, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { decodeTracedCommand, type TracedCommand } from '../../src/publisher/traced-command.js';
import { executeCommandBatch, type ExecuteCommandBatchDeps } from '../../src/streams/execute-command-batch.js';
import { fakeDeadLetterTopic, newScheduler } from '../support/lane-batch.js';
import { commandRecord, created } from '../support/command-records.js';
import { rawRecord, traceparent, type DlqAnswer } from '../support/lane-records.js';
import type { TestScheduler } from 'rxjs/testing';

/** `execute`: records each call (when subscribed, which orders) and answers with `answer`. */
const fakeExecutor = (scheduler: TestScheduler, answer: () => Observable<unknown>) => {
  const calls: { at: number; orders: string[]; traceparents: (string | undefined)[] }[] = [];
  const execute = (commands: readonly TracedCommand[]): Observable<unknown> =>
    defer(() => {
      calls.push({
        at: scheduler.now(),
        orders: commands.map((c) => c.command.paymentOrderId),
        traceparents: commands.map((c) => c.traceparent),
      });
      return answer();
    });
  return { execute, calls };
};

const depsOf = (
  scheduler: TestScheduler,
  execute: ExecuteCommandBatchDeps<TracedCommand>['execute'],
  deadLetter: ExecuteCommandBatchDeps<TracedCommand>['deadLetter'],
): ExecuteCommandBatchDeps<TracedCommand> => ({
  decode: decodeTracedCommand,
  deadLetter,
  execute,
  // dead-letter retries: 5, 10, 20 ms… with random 0.5
  retry: { backoff: { baseMs: 10, capMs: 1_000 }, random: () => 0.5, scheduler },
});

describe('executeCommandBatch', () => {
  it('executes every command of the batch in one call, with its trace, then emits each message', () => {
    const scheduler = newScheduler();
    const batch = [commandRecord(10, created('po-1')), commandRecord(11, created('po-2'))];
    const { execute, calls } = fakeExecutor(scheduler, () => scheduler.createColdObservable('--(r|)', { r: [] }));
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    scheduler.run(({ expectObservable }) => {
      expectObservable(executeCommandBatch(batch, depsOf(scheduler, execute, deadLetter))).toBe('--(ab|)', {
        a: batch[0],
        b: batch[1],
      });
    });
    expect(calls).toEqual([
      { at: 0, orders: ['po-1', 'po-2'], traceparents: [traceparent('trace10'), traceparent('trace11')] },
    ]);
    expect(published).toEqual([]);
  });

  it('completes at once with an empty batch, executing nothing and dead-lettering nothing', () => {
    const scheduler = newScheduler();
    const { execute, calls } = fakeExecutor(scheduler, () => scheduler.createColdObservable('(r|)', { r: [] }));
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    scheduler.run(({ expectObservable }) => {
      expectObservable(executeCommandBatch([], depsOf(scheduler, execute, deadLetter))).toBe('|');
    });
    expect(calls.map((c) => c.orders)).toEqual([[]]);
    expect(published).toEqual([]);
  });

  it('dead-letters what does not decode first, in one publish, then executes the rest; emits the dead-lettered first', () => {
    const scheduler = newScheduler();
    const notJson = rawRecord(20, 'po-1', 'not json');
    const valid = commandRecord(21, created('po-2'));
    const { execute, calls } = fakeExecutor(scheduler, () => scheduler.createColdObservable('--(r|)', { r: [] }));
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler, () =>
      scheduler.createColdObservable<DlqAnswer>('-(a|)', { a: E.right(undefined) }),
    );
    scheduler.run(({ expectObservable }) => {
      expectObservable(executeCommandBatch([notJson, valid], depsOf(scheduler, execute, deadLetter))).toBe('---(ab|)', {
        a: notJson,
        b: valid,
      });
    });
    expect(published.map((p) => [p.at, p.letters.map((l) => [l.message.offset, l.reason])])).toEqual([
      [0, [['20', 'invalid-json']]],
    ]);
    expect(calls.map((c) => [c.at, c.orders])).toEqual([[1, ['po-2']]]);
  });

  it('retries a transient dead-letter refusal, then executes', () => {
    const scheduler = newScheduler();
    const { execute, calls } = fakeExecutor(scheduler, () => scheduler.createColdObservable('(r|)', { r: [] }));
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler, (call) =>
      scheduler.createColdObservable<DlqAnswer>('-(a|)', {
        a: call === 1 ? E.left({ retryable: true, message: 'leader not available' }) : E.right(undefined),
      }),
    );
    const batch = [rawRecord(30, 'k', ''), commandRecord(31, created('po-3'))];
    scheduler.run(({ expectObservable }) => {
      // refused at 1, waits 5, accepted at 7
      expectObservable(executeCommandBatch(batch, depsOf(scheduler, execute, deadLetter))).toBe('7ms (ab|)', {
        a: batch[0],
        b: batch[1],
      });
    });
    expect(published.map((p) => p.at)).toEqual([0, 6]);
    expect(calls.map((c) => c.at)).toEqual([7]);
  });

  it('errors, executing nothing, when the dead-letter topic refuses for good', () => {
    const scheduler = newScheduler();
    const { execute, calls } = fakeExecutor(scheduler, () => scheduler.createColdObservable('(r|)', { r: [] }));
    const { deadLetter } = fakeDeadLetterTopic(scheduler, () =>
      scheduler.createColdObservable<DlqAnswer>('(a|)', {
        a: E.left({ retryable: false, message: 'topic authorization failed' }),
      }),
    );
    scheduler.run(({ expectObservable }) => {
      const batch = [rawRecord(40, 'po-1', '{'), commandRecord(41, created('po-2'))];
      expectObservable(executeCommandBatch(batch, depsOf(scheduler, execute, deadLetter))).toBe(
        '#',
        undefined,
        new Error('dead-letter publish failed: topic authorization failed'),
      );
    });
    expect(calls).toEqual([]);
  });

  it('errors, emitting nothing, when the execution fails (so nothing of the batch is committed)', () => {
    const scheduler = newScheduler();
    const { execute } = fakeExecutor(scheduler, () =>
      scheduler.createColdObservable('--#', undefined, new Error('outbox refused a result')),
    );
    const { deadLetter } = fakeDeadLetterTopic(scheduler);
    scheduler.run(({ expectObservable }) => {
      expectObservable(
        executeCommandBatch([commandRecord(50, created('po-5'))], depsOf(scheduler, execute, deadLetter)),
      ).toBe('--#', undefined, new Error('outbox refused a result'));
    });
  });

  it('emits nothing when unsubscribed while the execution is pending', () => {
    const scheduler = newScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const executing = cold('-----(r|)', { r: [] });
      const { execute } = fakeExecutor(scheduler, () => executing);
      const { deadLetter } = fakeDeadLetterTopic(scheduler);
      expectObservable(
        executeCommandBatch([commandRecord(60, created('po-6'))], depsOf(scheduler, execute, deadLetter)),
        '^--!',
      ).toBe('---');
      expectSubscriptions(executing.subscriptions).toBe('^--!');
    });
  });
});
