import { Buffer } from 'node:buffer';
import { setTimeout as sleep } from 'node:timers/promises';
import * as E from 'fp-ts/lib/Either.js';
import { firstValueFrom } from 'rxjs';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { committedOffsets } from '../../src/kafka/consumer-lag.js';
import { deadLetterHeaders } from '../../src/kafka/dead-letter-publisher.js';
import { deadLetterTransactions, type DeadLetterTransactions } from '../../src/kafka/dead-letter-transactions.js';
import { ensureTopics } from '../../src/kafka/topics.js';
import type { DeadLetter } from '../../src/streams/consumed-message.js';
import { uniqueName, useRealStack } from '../support/real-stack.js';
import { readWholeTopic } from '../support/topic-reader.js';

/**
 * The DLQ-once edge against the real broker: letters go out with the offset commit that covers them, in one
 * transaction, and a later owner of the partition fences the former one and never publishes a letter the
 * group's committed offset already covers.
 */
describe('dead letters in one transaction with their offsets', () => {
  const stack = useRealStack();
  const { kafka, admin } = stack;

  const setUp = async () => {
    const names = { topic: uniqueName('dlt-results'), dlq: uniqueName('dlt-dlq'), group: uniqueName('dlt-group') };
    await ensureTopics(admin, [
      { topic: names.topic, partitions: 2 },
      { topic: names.dlq, partitions: 1 },
    ]);
    return names;
  };

  const letterAt = (topic: string, partition: number, offset: number): DeadLetter => ({
    message: {
      topic,
      partition,
      offset: String(offset),
      key: Buffer.from(`key-${partition}-${offset}`),
      value: Buffer.from('{'),
      headers: {},
      receivedAt: 0,
    },
    reason: 'invalid-json',
    description: 'not JSON',
  });

  const committedOf = async (group: string, topic: string, partition: number): Promise<number | undefined> =>
    (await committedOffsets(admin, group, topic)).get(partition);

  /** A worker's edge: `assignment` and `owned` are what its consumer would say. */
  const member = (
    names: { topic: string; dlq: string; group: string },
    prefix: string,
    /** Overrides `owned` from the given call of `owns` on (1 is the first). */
    lostFromCall?: number,
  ) => {
    let ownsCalls = 0;
    const state = {
      assignment: 1,
      owned: true,
      plainCommits: [] as (readonly [number, number])[][],
      published: [] as string[],
    };
    const edge: DeadLetterTransactions = deadLetterTransactions({
      kafka,
      topic: names.topic,
      groupId: names.group,
      dlqTopic: names.dlq,
      transactionalIdPrefix: prefix,
      clock: () => new Date('2026-11-30T12:00:00Z'),
      commitPlain: (offsets) => {
        state.plainCommits.push([...offsets]);
        return of(E.right(undefined));
      },
      owns: () => {
        ownsCalls += 1;
        return state.owned && (lostFromCall === undefined || ownsCalls < lostFromCall);
      },
      assignment: () => state.assignment,
      committedOffset: (partition) => committedOf(names.group, names.topic, partition),
      onPublished: (letters) => {
        state.published.push(...letters.map((l) => `${l.message.partition}:${l.message.offset}`));
      },
    });
    const commit = (offsets: [number, number][]) => firstValueFrom(edge.commit(offsets));
    /** As the pipeline does: a commit refused for now (a coordinator loading, a slow broker) is offered again. */
    const commitRetried = async (offsets: [number, number][]) => {
      for (let attempt = 1; ; attempt += 1) {
        const result = await commit(offsets);
        if (E.isRight(result) || attempt === 5) return result;
      }
    };
    return { state, edge, commit, commitRetried };
  };

  /**
   * The DLQ as a read_committed reader sees it, once it holds `expected` letters (or after 10 s): a committed
   * transaction's markers are written a moment after the commit returns, and only then are its letters read.
   */
  const dlqOffsets = async (dlq: string, expected = 0): Promise<string[]> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const letters = (await readWholeTopic(kafka, admin, dlq)).map(
        (m) =>
          `${m.headers?.[deadLetterHeaders.partition]?.toString()}:${m.headers?.[deadLetterHeaders.offset]?.toString()}`,
      );
      if (letters.length >= expected || Date.now() > deadline) return letters;
      await sleep(200);
    }
  };

  it('publishes parked letters with the commit that covers them, once, and commits the rest plainly', async () => {
    const names = await setUp();
    const a = member(names, uniqueName('dlt'));
    try {
      await firstValueFrom(a.edge.park([letterAt(names.topic, 0, 3), letterAt(names.topic, 0, 7)]));
      expect(await dlqOffsets(names.dlq, 0), 'parked, not sent').toEqual([]);

      // Covers offset 3 only; partition 1 has no letters and is committed plainly.
      expect(
        E.isRight(
          await a.commitRetried([
            [0, 5],
            [1, 9],
          ]),
        ),
      ).toBe(true);
      expect(await dlqOffsets(names.dlq, 1)).toEqual(['0:3']);
      expect(await committedOf(names.group, names.topic, 0)).toBe(5);
      // (offered again with the transaction when a fresh broker's coordinator was still loading)
      expect(new Set(a.state.plainCommits.map((c) => JSON.stringify(c)))).toEqual(new Set(['[[1,9]]']));

      expect(E.isRight(await a.commitRetried([[0, 8]]))).toBe(true);
      expect(E.isRight(await a.commitRetried([[0, 9]]))).toBe(true);
      expect(await dlqOffsets(names.dlq, 2), 'each letter once').toEqual(['0:3', '0:7']);
      expect(a.state.published, 'told of each published letter once').toEqual(['0:3', '0:7']);
      expect(await committedOf(names.group, names.topic, 0)).toBe(8);
      expect(a.state.plainCommits.at(-1)).toEqual([[0, 9]]);
    } finally {
      await a.edge.close();
    }
  });

  it('sends nothing for a partition no longer owned, nor letters parked under an earlier assignment', async () => {
    const names = await setUp();
    const a = member(names, uniqueName('dlt'));
    try {
      await firstValueFrom(a.edge.park([letterAt(names.topic, 0, 1)]));
      a.state.owned = false;
      expect(E.isLeft(await a.commit([[0, 2]]))).toBe(true);
      a.state.owned = true;
      a.state.assignment = 2;
      expect(E.isRight(await a.commitRetried([[0, 2]]))).toBe(true);
      expect(await dlqOffsets(names.dlq, 0)).toEqual([]);
      expect(a.state.published).toEqual([]);
      expect(a.state.plainCommits).toEqual([[[0, 2]]]);
    } finally {
      await a.edge.close();
    }
  });

  it('commits nothing when the partition is lost while its transaction is under way', async () => {
    const names = await setUp();
    // Owned when the transaction starts, lost by the time the offsets would be sent (a rebalance meanwhile).
    const a = member(names, uniqueName('dlt'), 2);
    try {
      await firstValueFrom(a.edge.park([letterAt(names.topic, 0, 1)]));
      const result = await a.commit([[0, 2]]);
      expect(E.isLeft(result) && (result.left as { code?: string }).code).toBe('partition-not-owned');
      expect(await committedOf(names.group, names.topic, 0), 'no offset from a former owner').toBeUndefined();
      expect(await dlqOffsets(names.dlq, 0), 'the letters were aborted with it').toEqual([]);
      expect(a.state.published).toEqual([]);
    } finally {
      await a.edge.close();
    }
  });

  it('a later owner fences the former one and skips letters the group already committed', async () => {
    const names = await setUp();
    const prefix = uniqueName('dlt');
    const former = member(names, prefix);
    const later = member(names, prefix);
    try {
      // The former owner publishes letter 3 with offset 5; the later owner read offset 0 before that commit
      // landed and dead-letters record 3 again: it must not publish it a second time.
      await firstValueFrom(former.edge.park([letterAt(names.topic, 0, 3)]));
      expect(E.isRight(await former.commitRetried([[0, 5]]))).toBe(true);
      await firstValueFrom(later.edge.park([letterAt(names.topic, 0, 3), letterAt(names.topic, 0, 6)]));
      expect(E.isRight(await later.commitRetried([[0, 4]])), 'below the committed offset: nothing to do').toBe(true);
      expect(await committedOf(names.group, names.topic, 0), 'never moved backwards').toBe(5);
      expect(E.isRight(await later.commitRetried([[0, 7]]))).toBe(true);
      expect(await dlqOffsets(names.dlq, 2)).toEqual(['0:3', '0:6']);

      // The former owner, paused through the rebalance, still believes it owns the partition: it is fenced.
      await firstValueFrom(former.edge.park([letterAt(names.topic, 0, 8)]));
      expect(E.isLeft(await former.commit([[0, 9]]))).toBe(true);
      expect(await dlqOffsets(names.dlq, 2)).toEqual(['0:3', '0:6']);
      expect(former.state.published).toEqual(['0:3']);
      expect(later.state.published, 'never told of a letter it skipped').toEqual(['0:6']);
      expect(await committedOf(names.group, names.topic, 0)).toBe(7);
    } finally {
      await Promise.all([former.edge.close(), later.edge.close()]);
    }
  });
});
