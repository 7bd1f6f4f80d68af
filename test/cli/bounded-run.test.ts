import { NEVER, Observable, Subject, finalize, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { boundedRun, closeBoundMs, closingDeadline, type BoundedRunOptions } from '../../src/cli/bounded-run.js';

/** Options that record what the run asked of them: the source stopped, the close and its deadline, abandonment. */
const recorder = (shutdownTimeoutMs: number, onStopSource: () => void = () => undefined) => {
  const seen: string[] = [];
  const closedBy: number[] = [];
  const opts: BoundedRunOptions = {
    shutdownTimeoutMs,
    stopSource: () => {
      seen.push('source stopped');
      onStopSource();
      return Promise.resolve();
    },
    close: (stopDeadline) => {
      seen.push('closed');
      closedBy.push(stopDeadline);
      return Promise.resolve();
    },
    onAbandoned: () => {
      seen.push('abandoned');
    },
  };
  return { opts, seen, closedBy };
};

describe('boundedRun', () => {
  it('closes once the pipeline completes by itself, with no stop deadline, and is stopping from then on', async () => {
    const source = new Subject<number>();
    const { opts, seen, closedBy } = recorder(1_000);
    const run = boundedRun(source, opts);
    expect(run.stopping()).toBe(false);
    source.complete();
    await run.done;
    expect(seen).toEqual(['closed']);
    expect(closedBy).toEqual([Number.POSITIVE_INFINITY]);
    expect(run.stopping()).toBe(true);
  });

  it("rejects `done` with the pipeline's error, after closing", async () => {
    const { opts, seen } = recorder(1_000);
    const run = boundedRun(
      throwError(() => new Error('store refused')),
      opts,
    );
    await expect(run.done).rejects.toThrow('store refused');
    expect(seen).toEqual(['closed']);
  });

  it('wraps an error that is not an Error, so `done` always rejects with one', async () => {
    const { opts } = recorder(1_000);
    const run = boundedRun(
      throwError(() => ({ code: 'x' })),
      opts,
    );
    await expect(run.done).rejects.toThrow('{"code":"x"}');
  });

  it('on stop: stops the source, lets the pipeline drain within the deadline, then closes by that deadline', async () => {
    const source = new Subject<number>();
    // The source completes the pipeline shortly after it is told to stop: the drain.
    const { opts, seen, closedBy } = recorder(2_000, () => {
      setTimeout(() => {
        source.complete();
      }, 20);
    });
    const run = boundedRun(source, opts);
    const t0 = Date.now();
    const stopped = run.stop();
    expect(run.stopping()).toBe(true);
    await stopped;
    await run.done;
    expect(seen).toEqual(['source stopped', 'closed']);
    expect(closedBy[0]).toBeGreaterThanOrEqual(t0 + 2_000);
    expect(closedBy[0]).toBeLessThan(Date.now() + 2_000);
  });

  it('abandons a pipeline that does not drain by the deadline: unsubscribed, then closed, `done` resolves', async () => {
    let unsubscribed = false;
    const { opts, seen, closedBy } = recorder(50);
    const run = boundedRun(
      NEVER.pipe(
        finalize(() => {
          unsubscribed = true;
        }),
      ),
      opts,
    );
    const t0 = Date.now();
    await run.stop();
    const tookMs = Date.now() - t0;
    await run.done;
    expect(seen).toEqual(['source stopped', 'abandoned', 'closed']);
    expect(unsubscribed).toBe(true);
    expect(tookMs).toBeGreaterThanOrEqual(45);
    expect(tookMs).toBeLessThan(1_000);
    expect(closedBy[0]).toBeLessThanOrEqual(Date.now());
  });

  it('answers a second stop with the first', async () => {
    const { opts, seen } = recorder(20);
    const run = boundedRun(new Observable<never>(), opts);
    const first = run.stop();
    expect(run.stop()).toBe(first);
    await first;
    expect(seen.filter((s) => s === 'source stopped')).toHaveLength(1);
  });
});

describe('closingDeadline', () => {
  it("is the stop's deadline, or closeBoundMs from now if that comes first", () => {
    expect(closingDeadline(Number.POSITIVE_INFINITY, 1_000)).toBe(1_000 + closeBoundMs);
    expect(closingDeadline(1_500, 1_000)).toBe(1_500);
  });
});
