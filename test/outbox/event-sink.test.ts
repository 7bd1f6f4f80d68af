import * as E from 'fp-ts/lib/Either.js';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { publishAcknowledged, type Publish, type PublishError } from '../../src/outbox/event-sink.js';
import type { PendingRecord } from '../../src/outbox/outbox-entry.js';

const record = (id: string): PendingRecord => ({ _id: id, topic: 't', key: id, value: '{}', headers: {} });
const scheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).toEqual(expected);
  });
const retry = (s: TestScheduler) => ({ backoff: { baseMs: 4, capMs: 4 }, random: () => 0.5, scheduler: s });

/** A broker that answers each send 2 frames later; sends listed in `calls` with their frame. */
const broker = (
  s: TestScheduler,
  cold: TestScheduler['createColdObservable'],
  answers: readonly E.Either<PublishError, void>[] = [],
) => {
  const calls: string[] = [];
  let n = 0;
  const publish: Publish = (records) => {
    calls.push(`@${s.now()} ${records.map((r) => r._id).join(',')}`);
    const answer = answers[n++] ?? E.right(undefined);
    return cold('--(a|)', { a: answer });
  };
  return { calls, publish };
};

describe('the Kafka sink (publishAcknowledged)', () => {
  it('sends one record at once when idle and batches what arrives while a send is in flight', () => {
    const s = scheduler();
    s.run(({ hot, cold, expectObservable }) => {
      const { calls, publish } = broker(s, cold);
      const source = hot('a(bc|)', { a: record('a'), b: record('b'), c: record('c') });
      expectObservable(source.pipe(publishAcknowledged(publish, { maxBatch: 10, retry: retry(s) }))).toBe('--a-(bc|)', {
        a: record('a'),
        b: record('b'),
        c: record('c'),
      });
      s.flush();
      expect(calls).toEqual(['@0 a', '@2 b,c']);
    });
  });

  it('keeps at most one send in flight and at most maxBatch records in it', () => {
    const s = scheduler();
    s.run(({ hot, cold }) => {
      const { calls, publish } = broker(s, cold);
      const acked: string[] = [];
      const source = hot('(abcde|)', {
        a: record('a'),
        b: record('b'),
        c: record('c'),
        d: record('d'),
        e: record('e'),
      });
      source
        .pipe(publishAcknowledged(publish, { maxBatch: 2, retry: retry(s) }))
        .subscribe((r) => acked.push(`@${s.now()} ${r._id}`));
      s.flush();
      expect(calls).toEqual(['@0 a', '@2 b,c', '@4 d,e']);
      expect(acked).toEqual(['@2 a', '@4 b', '@4 c', '@6 d', '@6 e']);
    });
  });

  it('retries a send after a retryable broker error and emits only after the acknowledgement', () => {
    const s = scheduler();
    s.run(({ hot, cold, expectObservable }) => {
      const { calls, publish } = broker(s, cold, [E.left({ retryable: true, message: 'NOT_LEADER_FOR_PARTITION' })]);
      const source = hot('a|', { a: record('a') });
      // send at 0 fails at 2, backoff 2 (full jitter of 4 with random 0.5), resent at 4, acknowledged at 6
      expectObservable(source.pipe(publishAcknowledged(publish, { maxBatch: 10, retry: retry(s) }))).toBe(
        '------(a|)',
        {
          a: record('a'),
        },
      );
      s.flush();
      expect(calls).toEqual(['@0 a', '@4 a']);
    });
  });

  it('errors on a final broker error instead of completing', () => {
    const s = scheduler();
    s.run(({ hot, cold, expectObservable }) => {
      const { publish } = broker(s, cold, [E.left({ retryable: false, message: 'MESSAGE_TOO_LARGE' })]);
      const source = hot('a|', { a: record('a') });
      expectObservable(source.pipe(publishAcknowledged(publish, { maxBatch: 10, retry: retry(s) }))).toBe(
        '--#',
        undefined,
        new Error('publish failed for good: MESSAGE_TOO_LARGE'),
      );
    });
  });

  it('completes only once every record it received was acknowledged', () => {
    const s = scheduler();
    s.run(({ hot, cold, expectObservable }) => {
      const { publish } = broker(s, cold);
      const source = hot('ab|', { a: record('a'), b: record('b') });
      expectObservable(source.pipe(publishAcknowledged(publish, { maxBatch: 10, retry: retry(s) }))).toBe('--a-(b|)', {
        a: record('a'),
        b: record('b'),
      });
    });
  });

  it('completes at once on an empty source', () => {
    const s = scheduler();
    s.run(({ cold, expectObservable }) => {
      const { publish } = broker(s, cold);
      expectObservable(
        cold<PendingRecord>('|').pipe(publishAcknowledged(publish, { maxBatch: 10, retry: retry(s) })),
      ).toBe('|');
    });
  });
});
