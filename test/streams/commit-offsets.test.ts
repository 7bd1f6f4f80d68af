import * as E from 'fp-ts/lib/Either.js';
import { concat, defer, of, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { offsetCommitter } from '../../src/streams/commit-offsets.js';
import type { ConsumerControl } from '../../src/streams/consumer-control.js';
import { OffsetLedger } from '../../src/streams/offset-ledger.js';
import { newScheduler } from '../support/lane-batch.js';

type CommitAnswer = Observable<E.Either<unknown, void>>;

/** A ledger with offsets 0..n-1 of each partition admitted and done. */
const ledgerDone = (partitions: Record<number, number>): OffsetLedger => {
  const ledger = new OffsetLedger();
  for (const [p, n] of Object.entries(partitions)) {
    for (let o = 0; o < n; o++) {
      ledger.admit(Number(p), o);
      ledger.complete(Number(p), o);
    }
  }
  return ledger;
};

const controlOf = (
  scheduler: ReturnType<typeof newScheduler>,
  answer: (call: number) => CommitAnswer,
  lost: readonly number[] = [],
) => {
  const commits: string[] = [];
  const control: ConsumerControl = {
    pause: () => undefined,
    resume: () => undefined,
    owns: (p) => !lost.includes(p),
    commit: (offsets) => {
      commits.push(`@${scheduler.now()} ${offsets.map(([p, next]) => `p${p}→${next}`).join(' ')}`);
      return answer(commits.length);
    },
  };
  return { control, commits };
};

/** The committer under test: commits time out after 100 frames; failures are collected into `failures`. */
const committerOf = (
  control: ConsumerControl,
  ledger: OffsetLedger,
  scheduler: ReturnType<typeof newScheduler>,
  failures: unknown[] = [],
) => offsetCommitter({ control, ledger, timeoutMs: 100, scheduler, onCommitFailed: (e) => failures.push(e) });

describe('offsetCommitter', () => {
  it('commits what the ledger holds done, records the acknowledgement, and offers it no more', () => {
    const scheduler = newScheduler();
    const ledger = ledgerDone({ 0: 3, 1: 1 });
    const { control, commits } = controlOf(scheduler, () =>
      scheduler.createColdObservable('-(a|)', { a: E.right(undefined) }),
    );
    const committer = committerOf(control, ledger, scheduler);
    scheduler.run(({ expectObservable }) => {
      expectObservable(committer.commitPending()).toBe('-|');
    });
    expect(commits).toEqual(['@0 p0→3 p1→1']);
    expect(ledger.pendingCommits()).toEqual([]);
    expect(committer.floorOf(0)).toBe(3);
    expect(committer.floorOf(2)).toBe(-1);
  });

  it('asks nothing of Kafka when nothing is pending', () => {
    const scheduler = newScheduler();
    const { control, commits } = controlOf(scheduler, () => of(E.right(undefined)));
    scheduler.run(({ expectObservable }) => {
      expectObservable(committerOf(control, new OffsetLedger(), scheduler).commitPending()).toBe('|');
    });
    expect(commits).toEqual([]);
  });

  it('commits neither partitions it no longer owns nor offsets at or below what Kafka acknowledged', () => {
    const scheduler = newScheduler();
    const { control, commits } = controlOf(scheduler, () => of(E.right(undefined)), [1]);
    const committer = committerOf(control, new OffsetLedger(), scheduler);
    scheduler.run(({ expectObservable }) => {
      // each commit decided once the one before it is acknowledged
      const sequence$ = concat(
        defer(() => committer.commit([[0, 5]])),
        defer(() =>
          committer.commit([
            [0, 5],
            [1, 9],
          ]),
        ),
        defer(() => committer.commit([[0, 4]])),
      );
      expectObservable(sequence$).toBe('|');
    });
    expect(commits).toEqual(['@0 p0→5']);
  });

  it('commits the floor once more for a partition redelivered from below it, and not once it was revoked', () => {
    const scheduler = newScheduler();
    const { control, commits } = controlOf(scheduler, () => of(E.right(undefined)), [2]);
    const committer = committerOf(control, new OffsetLedger(), scheduler);
    scheduler.run(({ expectObservable }) => {
      const sequence$ = concat(
        defer(() =>
          committer.commit([
            [0, 5],
            [1, 7],
            [2, 3],
          ]),
        ),
        defer(() => committer.commitPending()), // nothing behind yet
        defer(() => {
          // the group's offset was moved back: 0 and 1 are redelivered from below their floors; 1 is revoked
          committer.belowFloor(0);
          committer.belowFloor(1);
          committer.belowFloor(2);
          committer.forget(1);
          return committer.commitPending();
        }),
        defer(() => committer.commitPending()), // once
      );
      expectObservable(sequence$).toBe('|');
    });
    expect(commits).toEqual(['@0 p0→5 p1→7', '@0 p0→5']);
  });

  it('tells a refused commit to onCommitFailed and keeps its offsets pending', () => {
    const scheduler = newScheduler();
    const ledger = ledgerDone({ 0: 2 });
    const failures: unknown[] = [];
    const refused = new Error('rebalance in progress');
    const { control } = controlOf(scheduler, () => of(E.left(refused)));
    scheduler.run(({ expectObservable }) => {
      expectObservable(committerOf(control, ledger, scheduler, failures).commitPending()).toBe('|');
    });
    expect(failures).toEqual([refused]);
    expect(ledger.pendingCommits()).toEqual([[0, 2]]);
  });

  it('gives up on a commit that hangs past timeoutMs, as a failure', () => {
    const scheduler = newScheduler();
    const ledger = ledgerDone({ 0: 1 });
    const failures: unknown[] = [];
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const hanging = cold<E.Either<unknown, void>>('-');
      const { control } = controlOf(scheduler, () => hanging);
      expectObservable(committerOf(control, ledger, scheduler, failures).commitPending()).toBe('100ms |');
      expectSubscriptions(hanging.subscriptions).toBe('^ 99ms !');
    });
    expect(failures).toEqual([new Error('commit timed out')]);
    expect(ledger.pendingCommits()).toEqual([[0, 1]]);
  });

  it('records nothing when unsubscribed before Kafka answers', () => {
    const scheduler = newScheduler();
    const ledger = ledgerDone({ 0: 1 });
    scheduler.run(({ cold, expectObservable }) => {
      const { control } = controlOf(scheduler, () => cold('-----(a|)', { a: E.right(undefined) }));
      const committer = committerOf(control, ledger, scheduler);
      expectObservable(committer.commitPending(), '^--!').toBe('---');
    });
    expect(ledger.pendingCommits()).toEqual([[0, 1]]);
  });
});
