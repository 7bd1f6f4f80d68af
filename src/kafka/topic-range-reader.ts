import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { Admin, IHeaders, Kafka } from 'kafkajs';
import { kafkaErrorOf, type KafkaError } from './kafka-error.js';
import { wireHeaders } from './record-headers.js';

export interface StoredRecord {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  /** First offset to read; offsets already deleted by retention are skipped. */
  readonly from: number;
  /** Last offset to read (inclusive); by default the last record present when reading starts. */
  readonly to?: number | undefined;
}

/**
 * Reads one partition from `range.from` to `range.to`, handing over pages in offset order, each after the
 * previous one's handler resolved; stops at the first Left. Uses a throw-away consumer group that commits
 * nothing and is deleted afterwards.
 */
export const readPartitionRange = async <L>(
  kafka: Kafka,
  admin: Admin,
  range: PartitionRange,
  onPage: (records: readonly StoredRecord[]) => Promise<E.Either<L, void>>,
): Promise<E.Either<L | KafkaError, void>> => {
  const { topic, partition } = range;
  let bounds: { readonly low: number; readonly high: number } | undefined;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    const p = offsets.find((o) => o.partition === partition);
    bounds = p === undefined ? undefined : { low: Number(p.low), high: Number(p.high) };
  } catch (error: unknown) {
    return E.left(kafkaErrorOf(error));
  }
  if (bounds === undefined) {
    const message = `topic ${topic} has no partition ${partition}`;
    return E.left({ _tag: 'KafkaError', code: 'no-such-partition', retryable: false, message, cause: undefined });
  }
  const first = Math.max(range.from, bounds.low);
  const last = Math.min(range.to ?? Infinity, bounds.high - 1);
  if (first > last) return E.right(undefined);

  const groupId = `psp-stream-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, allowAutoTopicCreation: false });
  let finish: (result: E.Either<L | KafkaError, void>) => void = () => undefined;
  const finished = new Promise<E.Either<L | KafkaError, void>>((resolve) => {
    finish = resolve;
  });
  let done = false;
  // A batch fetched before the seek took effect may come again after it: each offset is handed over once.
  let next = first;
  const end = (result: E.Either<L | KafkaError, void>): void => {
    done = true;
    finish(result);
  };
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) end(E.left(kafkaErrorOf(event.payload.error)));
  });
  // A fetch holding only transaction markers (the DLQ is written in transactions) or aborted records never
  // reaches `eachBatch`; kafkajs still reports how far it read.
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    if (event.payload.partition === partition && Number(event.payload.lastOffset) >= last) end(E.right(undefined));
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (done || batch.partition !== partition) return;
        const records = batch.messages
          .filter((m) => Number(m.offset) >= next && Number(m.offset) <= last)
          .map((m): StoredRecord => ({
            offset: m.offset,
            key: m.key,
            value: m.value,
            headers: wireHeaders(m.headers),
          }));
        const lastRecord = records[records.length - 1];
        if (lastRecord !== undefined) {
          next = Number(lastRecord.offset) + 1;
          const result = await onPage(records);
          if (E.isLeft(result)) {
            end(result);
            return;
          }
        }
        if (Number(batch.lastOffset()) >= last) end(E.right(undefined));
      },
    });
    consumer.seek({ topic, partition, offset: String(first) });
    return await finished;
  } catch (error: unknown) {
    return E.left(kafkaErrorOf(error));
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
};
