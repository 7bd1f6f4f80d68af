import { filter, map, timer, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ConsumedMessage } from '../../src/streams/consumed-message.js';
import { intoLanes } from '../../src/streams/lanes.js';
import { newScheduler } from '../support/lane-batch.js';
import { consumedRecord, successFor } from '../support/consumed-records.js';

const m = (partition: number, offset: number): ConsumedMessage =>
  consumedRecord({ topic: 't', partition, offset }, successFor(`po-${partition}-${offset}`));

/** A batch takes 3 frames, then emits `p<partition>:<offsets>`; every batch is recorded as it starts. */
const slowBatches = (scheduler: ReturnType<typeof newScheduler>) => {
  const started: string[] = [];
  const apply = (batch: readonly ConsumedMessage[]): Observable<string> => {
    const name = `p${batch[0]?.partition ?? '?'}:${batch.map((b) => b.offset).join(',')}`;
    started.push(`@${scheduler.now()} ${name}`);
    return timer(3, scheduler).pipe(map(() => name));
  };
  return { apply, started };
};

describe('intoLanes', () => {
  it('applies one partition in offset order, a batch at a time, and partitions side by side', () => {
    const scheduler = newScheduler();
    const { apply, started } = slowBatches(scheduler);
    scheduler.run(({ hot, expectObservable }) => {
      const admitted = hot('-abx----|', { a: m(0, 0), b: m(0, 1), x: m(1, 0) });
      const revoked = hot<number>('-');
      const out$ = admitted.pipe(intoLanes(apply, 10, (p) => revoked.pipe(filter((r) => r === p))));
      expectObservable(out$).toBe('----a-xb|', { a: 'p0:0', b: 'p0:1', x: 'p1:0' });
    });
    expect(started).toEqual(['@1 p0:0', '@3 p1:0', '@4 p0:1']);
  });

  it('takes at most maxBatchSize of what waits as one batch', () => {
    const scheduler = newScheduler();
    const { apply, started } = slowBatches(scheduler);
    scheduler.run(({ hot, expectObservable }) => {
      const admitted = hot('-(abc)-------|', { a: m(0, 0), b: m(0, 1), c: m(0, 2) });
      expectObservable(admitted.pipe(intoLanes(apply, 2, () => hot('-')))).toBe('----a--b-----|', {
        a: 'p0:0',
        b: 'p0:1,2',
      });
    });
    expect(started).toEqual(['@1 p0:0', '@4 p0:1,2']);
  });

  it('completes with nothing to do when nothing is admitted', () => {
    const scheduler = newScheduler();
    const { apply } = slowBatches(scheduler);
    scheduler.run(({ cold, expectObservable }) => {
      expectObservable(cold<ConsumedMessage>('--|').pipe(intoLanes(apply, 10, () => cold('-')))).toBe('--|');
    });
  });

  it('passes a batch error on', () => {
    const scheduler = newScheduler();
    const failure = new Error('dead-letter publish failed');
    scheduler.run(({ cold, hot, expectObservable }) => {
      const admitted = hot('-a--|', { a: m(0, 0) });
      expectObservable(
        admitted.pipe(
          intoLanes(
            () => cold('--#', undefined, failure),
            10,
            () => hot('-'),
          ),
        ),
      ).toBe('---#', undefined, failure);
    });
  });

  it('ends a revoked partition’s lane at once, dropping its batch in flight; a later message opens a new lane', () => {
    const scheduler = newScheduler();
    const { apply, started } = slowBatches(scheduler);
    scheduler.run(({ hot, expectObservable }) => {
      const admitted = hot('-a-----b----|', { a: m(0, 0), b: m(0, 5) });
      const revoked = hot<number>('--r', { r: 0 });
      const out$ = admitted.pipe(intoLanes(apply, 10, (p) => revoked.pipe(filter((r) => r === p))));
      expectObservable(out$).toBe('----------b-|', { b: 'p0:5' });
    });
    expect(started).toEqual(['@1 p0:0', '@7 p0:5']);
  });

  it('drops every lane when unsubscribed', () => {
    const scheduler = newScheduler();
    const { apply } = slowBatches(scheduler);
    scheduler.run(({ hot, expectObservable }) => {
      const admitted = hot('-a---|', { a: m(0, 0) });
      expectObservable(admitted.pipe(intoLanes(apply, 10, () => hot('-'))), '^-!').toBe('---');
    });
  });
});
