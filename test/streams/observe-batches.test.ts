import { EMPTY, map, NEVER, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ConsumedMessage, Processed } from '../../src/streams/consumed-message.js';
import { observeBatches, type WorkerObserver } from '../../src/streams/observe-batches.js';
import { newScheduler } from '../support/lane-batch.js';
import { applied, consumed, eventFor, label } from '../support/lane-records.js';

const appliedOf = (m: ConsumedMessage, id: string): Processed => ({
  _tag: 'Applied',
  message: m,
  event: eventFor(id),
  outcome: applied,
});

/** A watch recording `start 10,11`, `processed applied:10`, `end` into `log`. */
const recordingWatch =
  (log: string[]): WorkerObserver['batch'] =>
  (batch) => {
    log.push(`start ${batch.map((m) => m.offset).join(',')}`);
    return {
      processed: (p) => log.push(`processed ${label(p)}`),
      end: () => log.push('end'),
    };
  };

describe('observeBatches', () => {
  it('starts watching a batch before its work, tells each processed message, and ends with the batch', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const batch = [consumed(10, 'po-1'), consumed(11, 'po-2')];
    scheduler.run(({ cold, expectObservable }) => {
      const apply = (b: readonly ConsumedMessage[]) => {
        log.push('work');
        return cold('--a-(b|)', {
          a: appliedOf(b[0] as ConsumedMessage, 'po-1'),
          b: appliedOf(b[1] as ConsumedMessage, 'po-2'),
        });
      };
      expectObservable(observeBatches(apply, recordingWatch(log))(batch).pipe(map(label))).toBe('--a-(b|)', {
        a: 'applied:10',
        b: 'applied:11',
      });
    });
    expect(log).toEqual(['start 10,11', 'work', 'processed applied:10', 'processed applied:11', 'end']);
  });

  it('watches nothing until subscribed, and ends the watch of an empty batch', () => {
    const log: string[] = [];
    const observed$ = observeBatches(() => EMPTY, recordingWatch(log))([]);
    expect(log).toEqual([]);
    observed$.subscribe();
    expect(log).toEqual(['start ', 'end']);
  });

  it('ends the watch when the batch fails, passing the error on', () => {
    const scheduler = newScheduler();
    const log: string[] = [];
    const failure = new Error('dead-letter publish failed: no');
    scheduler.run(({ expectObservable }) => {
      expectObservable(
        observeBatches(() => throwError(() => failure), recordingWatch(log))([consumed(10, 'po-1')]),
      ).toBe('#', undefined, failure);
    });
    expect(log).toEqual(['start 10', 'end']);
  });

  it('ends the watch when the batch is dropped (unsubscribed)', () => {
    const log: string[] = [];
    const subscription = observeBatches(() => NEVER, recordingWatch(log))([consumed(10, 'po-1')]).subscribe();
    subscription.unsubscribe();
    expect(log).toEqual(['start 10', 'end']);
  });
});
