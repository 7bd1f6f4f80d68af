import * as E from 'fp-ts/lib/Either.js';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { publishAll, type Publish, type PublishError } from '../../src/outbox/event-sink.js';
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

describe('the Kafka sink (publishAll)', () => {
  it('sends all the records in one send and emits once Kafka acknowledged them', () => {
    const s = scheduler();
    s.run(({ cold, expectObservable }) => {
      const { calls, publish } = broker(s, cold);
      const records = Array.from({ length: 500 }, (_, i) => record(`r${i}`));
      expectObservable(publishAll(publish, retry(s))(records)).toBe('--(a|)', { a: undefined });
      s.flush();
      expect(calls).toEqual([`@0 ${records.map((r) => r._id).join(',')}`]);
    });
  });

  it('retries a send after a retryable broker error and emits only after the acknowledgement', () => {
    const s = scheduler();
    s.run(({ cold, expectObservable }) => {
      const { calls, publish } = broker(s, cold, [E.left({ retryable: true, message: 'NOT_LEADER_FOR_PARTITION' })]);
      // send at 0 fails at 2, backoff 2 (full jitter of 4 with random 0.5), resent at 4, acknowledged at 6
      expectObservable(publishAll(publish, retry(s))([record('a'), record('b')])).toBe('------(a|)', {
        a: undefined,
      });
      s.flush();
      expect(calls).toEqual(['@0 a,b', '@4 a,b']);
    });
  });

  it('errors on a final broker error instead of completing', () => {
    const s = scheduler();
    s.run(({ cold, expectObservable }) => {
      const { publish } = broker(s, cold, [E.left({ retryable: false, message: 'MESSAGE_TOO_LARGE' })]);
      expectObservable(publishAll(publish, retry(s))([record('a')])).toBe(
        '--#',
        undefined,
        new Error('publish failed for good: MESSAGE_TOO_LARGE'),
      );
    });
  });

  it('sends nothing until subscribed, and sends again on each subscription', () => {
    const s = scheduler();
    s.run(({ cold }) => {
      const { calls, publish } = broker(s, cold);
      const send$ = publishAll(publish, retry(s))([record('a')]);
      expect(calls).toEqual([]);
      send$.subscribe();
      send$.subscribe();
      s.flush();
      expect(calls).toEqual(['@0 a', '@0 a']);
    });
  });
});
