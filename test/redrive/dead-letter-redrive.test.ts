import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { deadLetterHeaders } from '../../src/kafka/dead-letter-publisher.js';
import { originalRecordOf, redrivePage, type RedriveRequest } from '../../src/redrive/dead-letter-redrive.js';
import type { KafkaError } from '../../src/kafka/kafka-error.js';
import type { RedriveLedger, RedriveStatus } from '../../src/redrive/redrive-ledger.js';
import type { StoredRecord } from '../../src/kafka/topic-range-reader.js';

const letter = (offset: number, reason: string): StoredRecord => ({
  offset: String(offset),
  key: Buffer.from(`po-${offset}`),
  value: Buffer.from([0xff, offset]),
  headers: {
    'schema-version': Buffer.from('1'),
    traceparent: Buffer.from('00-abc-def-01'),
    [deadLetterHeaders.reason]: Buffer.from(reason),
    [deadLetterHeaders.description]: Buffer.from('why'),
    [deadLetterHeaders.topic]: Buffer.from('results'),
    [deadLetterHeaders.partition]: Buffer.from('3'),
    [deadLetterHeaders.offset]: Buffer.from(String(offset * 10)),
    [deadLetterHeaders.time]: Buffer.from('2026-11-25T10:00:00.000Z'),
  },
});

const request: RedriveRequest = { dlqTopic: 'dlq', partition: 0, targetTopic: 'results', dryRun: false };

/** An in-memory ledger and target topic recording the order of what happened. */
const fakes = (initial: Record<string, RedriveStatus> = {}, publishFails = false) => {
  const statuses = new Map(Object.entries(initial));
  const log: string[] = [];
  const published: Message[] = [];
  const ledger: RedriveLedger = {
    statuses: (ids) =>
      TE.right(
        new Map(
          ids.flatMap((id): [string, RedriveStatus][] => {
            const status = statuses.get(id);
            return status === undefined ? [] : [[id, status]];
          }),
        ),
      ),
    markPending: (entries) => {
      for (const e of entries) if (!statuses.has(e._id)) statuses.set(e._id, 'pending');
      log.push(`pending ${entries.map((e) => e._id).join(',')}`);
      return TE.right(undefined);
    },
    markDone: (ids) => {
      for (const id of ids) statuses.set(id, 'done');
      log.push(`done ${ids.join(',')}`);
      return TE.right(undefined);
    },
  };
  const publish = (messages: readonly Message[]): TE.TaskEither<KafkaError, void> => {
    log.push(`publish ${messages.length}`);
    if (publishFails) {
      return TE.left({
        _tag: 'KafkaError',
        code: 'kafka-transient',
        retryable: true,
        message: 'down',
        cause: undefined,
      });
    }
    published.push(...messages);
    return TE.right(undefined);
  };
  return { deps: { ledger, publish, now: () => new Date(0) }, statuses, log, published };
};

describe('redrivePage', () => {
  it('publishes the original record of each matching letter, recorded as pending before and done after', async () => {
    const f = fakes();
    const counts = await redrivePage(
      { ...request, reason: 'unknown-order' },
      f.deps,
    )([letter(1, 'unknown-order'), letter(2, 'schema-violation'), letter(3, 'unknown-order')])();
    expect(counts).toEqual(E.right({ matched: 2, redriven: 2, alreadyRedriven: 0 }));
    expect(f.log).toEqual(['pending dlq:0:1,dlq:0:3', 'publish 2', 'done dlq:0:1,dlq:0:3']);
    expect(f.published.map((m) => [m.key, m.value, Object.keys(m.headers ?? {})])).toEqual([
      [Buffer.from('po-1'), Buffer.from([0xff, 1]), ['schema-version', 'traceparent']],
      [Buffer.from('po-3'), Buffer.from([0xff, 3]), ['schema-version', 'traceparent']],
    ]);
  });

  it('skips letters already done and publishes those left pending again', async () => {
    const f = fakes({ 'dlq:0:1': 'done', 'dlq:0:2': 'pending' });
    const counts = await redrivePage(request, f.deps)([letter(1, 'a'), letter(2, 'a'), letter(3, 'b')])();
    expect(counts).toEqual(E.right({ matched: 3, redriven: 2, alreadyRedriven: 1 }));
    expect(f.published.map((m) => m.key?.toString())).toEqual(['po-2', 'po-3']);
  });

  it('leaves letters pending when the publication fails, so that the next run publishes them', async () => {
    const f = fakes({}, true);
    const counts = await redrivePage(request, f.deps)([letter(1, 'a')])();
    expect(E.isLeft(counts)).toBe(true);
    expect(f.statuses.get('dlq:0:1')).toBe('pending');
  });

  it('only counts in a dry run', async () => {
    const f = fakes({ 'dlq:0:1': 'done' });
    const counts = await redrivePage({ ...request, dryRun: true }, f.deps)([letter(1, 'a'), letter(2, 'a')])();
    expect(counts).toEqual(E.right({ matched: 2, redriven: 1, alreadyRedriven: 1 }));
    expect(f.log).toEqual([]);
  });
});

describe('originalRecordOf', () => {
  it('drops only the dlq-* headers the dead-letter publisher adds', () => {
    const stored = letter(7, 'a');
    const original = originalRecordOf({ ...stored, headers: { ...stored.headers, 'dlq-like': 'kept' } });
    expect(Object.keys(original.headers ?? {})).toEqual(['schema-version', 'traceparent', 'dlq-like']);
  });
});
