import { Buffer } from 'node:buffer';
import * as E from 'fp-ts/lib/Either.js';
import type { Kafka, Message } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { runWorker } from '../../src/cli/run-worker.js';
import { encodePspResultUpdate, type PspResultUpdateEvent } from '../../src/codecs/index.js';
import { maxDescriptionLength } from '../../src/codecs/decode-failure.js';
import { deadLetterHeaders } from '../../src/kafka/dead-letter-publisher.js';
import { chunksWithin } from '../../src/kafka/record-size.js';
import { readPartitionRange, type StoredRecord } from '../../src/kafka/topic-range-reader.js';
import { ensureTopics } from '../../src/kafka/topics.js';
import { redactedPaths } from '../../src/telemetry/logger.js';
import {
  hostileMessages,
  leakCanaries,
  oversizedBurst,
  oversizedMessages,
  type HostileMessage,
} from '../support/hostile-messages.js';
import {
  insertInitiatedOrders,
  planOrders,
  publicationOrder,
  seededRandom,
  waitForCommitted,
} from '../support/psp-results.js';
import { expectAppliedExactlyOnce } from '../support/audit.js';
import { uniqueName, useRealStack } from '../support/real-stack.js';
import { workerTestConfig, workerTestEnv } from '../support/worker-config.js';

const testId = 'test-id';
const mib = 1024 * 1024;

type Planned = { readonly id: string } & (
  | { readonly good: true; readonly event: PspResultUpdateEvent }
  | { readonly good: false; readonly hostile: HostileMessage }
);

const messageOf = (p: Planned): Message =>
  p.good
    ? (({ key, value, headers }) => ({ key, value, headers: { ...headers, [testId]: p.id } }))(
        encodePspResultUpdate(p.event),
      )
    : { key: p.hostile.key, value: p.hostile.value, headers: { ...p.hostile.headers, [testId]: p.id } };

/** Good results in publication order with the hostile records spread among them at random. */
const interleave = (
  good: readonly PspResultUpdateEvent[],
  hostile: readonly HostileMessage[],
  random: () => number,
): readonly Planned[] => {
  const out: Planned[] = [];
  let g = 0;
  let h = 0;
  while (g < good.length || h < hostile.length) {
    const takeGood =
      h >= hostile.length || (g < good.length && random() < good.length / (good.length + hostile.length));
    if (takeGood) out.push({ id: `good-${g}`, good: true, event: good[g++] as PspResultUpdateEvent });
    else out.push({ id: `bad-${h}`, good: false, hostile: hostile[h++] as HostileMessage });
  }
  return out;
};

/** Every record of a topic with its partition, up to the current end. */
const readWithPartitions = async (kafka: Kafka, topic: string, total: number) => {
  const consumer = kafka.consumer({ groupId: uniqueName('hostile-reader'), maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const records = new Map<string, { readonly id: string }>();
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: ({ batch }) => {
        for (const m of batch.messages) {
          const id = m.headers?.[testId];
          records.set(`${batch.partition}:${m.offset}`, { id: Buffer.isBuffer(id) ? id.toString() : '' });
        }
        if (records.size >= total) resolve();
        return Promise.resolve();
      },
    });
  });
  await consumer.disconnect();
  return records;
};

const hex = (b: Buffer | string | null | undefined): string | null =>
  b === null || b === undefined ? null : Buffer.from(b).toString('hex');

const headersHex = (headers: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(headers)
      // what the dead-letter path adds (ours and Spring Kafka's); the original headers must be there unchanged
      .filter(([name]) => !name.startsWith('dlq-') && !name.startsWith('kafka_dlt-'))
      .map(([name, v]): [string, unknown] => [name, Array.isArray(v) ? v.map((x: Buffer) => hex(x)) : hex(v as Buffer)])
      .sort(([a], [b]) => a.localeCompare(b)),
  );

describe('the worker under hostile input', () => {
  const stack = useRealStack();
  const { kafka, admin, producer } = stack;

  it('dead-letters every bad record with its reason, applies every good one once, and never stops', async () => {
    const names = {
      topic: uniqueName('hostile-results'),
      dlq: uniqueName('hostile-dlq'),
      group: uniqueName('hostile-group'),
      db: stack.store.db.databaseName,
    };
    // The result topic takes 1 MiB values (with their key and headers); the worker creates the DLQ itself.
    await ensureTopics(admin, [
      { topic: names.topic, partitions: 12, configEntries: [{ name: 'max.message.bytes', value: String(2 * mib) }] },
    ]);

    const random = seededRandom(4111);
    const orders = planOrders(1_000, uniqueName('order'), random);
    const liveIds = orders.map((o) => o.id);
    const hostile = [
      ...hostileMessages(10_000, random, liveIds),
      ...oversizedMessages(
        [64 * 1024 + 1, ...Array.from({ length: 24 }, (_, i) => 70_000 + i * 8_000), mib, mib, mib, mib],
        random,
        liveIds,
      ),
    ];
    const burst = oversizedBurst(40, 100 * 1024, random, liveIds);
    const planned = [
      ...interleave(publicationOrder(orders, 0.2, random), hostile, random),
      ...burst.map((b, i): Planned => ({ id: `burst-${i}`, good: false, hostile: b })),
    ];
    await insertInitiatedOrders(stack.store.db, liveIds);
    for (const chunk of chunksWithin(planned.map(messageOf), 256 * 1024)) {
      await producer.send({ topic: names.topic, acks: -1, messages: chunk });
    }

    const lines: string[] = [];
    const logger = pino(
      { level: 'info', redact: { paths: [...redactedPaths], censor: '[redacted]' } },
      { write: (line: string) => void lines.push(line) },
    );
    const env = { ...workerTestEnv(names), UNKNOWN_ORDER_RETRIES: '0' };
    const started = Date.now();
    const worker = await runWorker(workerTestConfig(env), logger);
    let ended: string | undefined;
    worker.done.then(
      () => (ended = 'completed'),
      (error: unknown) => (ended = `failed: ${String(error)}`),
    );
    await Promise.race([
      waitForCommitted(admin, names.group, names.topic, 90_000),
      worker.done.then(() => Promise.reject(new Error(`the worker ended by itself: ${ended}`))),
    ]);
    const seconds = (Date.now() - started) / 1000;
    expect(ended, 'the worker ended by itself').toBeUndefined();
    await worker.stop();
    await worker.done;
    console.log(
      `${planned.length} records (${hostile.length + burst.length} hostile) processed in ${seconds.toFixed(1)} s`,
    );

    // Every hostile record, and nothing else, is in the DLQ once: matched by its original partition and offset.
    const originals = await readWithPartitions(kafka, names.topic, planned.length);
    expect(originals.size).toBe(planned.length);
    const byId = new Map(planned.map((p) => [p.id, p]));
    const letters: StoredRecord[] = [];
    const read = await readPartitionRange(kafka, admin, { topic: names.dlq, partition: 0, from: 0 }, (page) => {
      letters.push(...page);
      return Promise.resolve(E.right(undefined));
    });
    expect(E.isRight(read)).toBe(true);
    const header = (l: StoredRecord, name: string): string => String(l.headers[name] ?? '');
    const wrong: string[] = [];
    const seen = new Set<string>();
    for (const letter of letters) {
      const at = `${header(letter, deadLetterHeaders.partition)}:${header(letter, deadLetterHeaders.offset)}`;
      const original = byId.get(originals.get(at)?.id ?? '');
      const description = header(letter, deadLetterHeaders.description);
      if (seen.has(at)) wrong.push(`${at}: dead-lettered twice`);
      seen.add(at);
      if (original === undefined || original.good) {
        wrong.push(`${at}: ${original?.id ?? 'unknown record'} dead-lettered`);
        continue;
      }
      const { hostile: sent } = original;
      const actual = [
        header(letter, deadLetterHeaders.reason),
        hex(letter.key),
        hex(letter.value),
        headersHex(letter.headers),
      ];
      const expected = [
        sent.reason,
        hex(sent.key),
        hex(sent.value),
        headersHex({ ...sent.headers, [testId]: original.id }),
      ];
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        wrong.push(`${original.id} (${sent.kind}): ${JSON.stringify(actual).slice(0, 300)}`);
      }
      if (description.length > maxDescriptionLength || leakCanaries.some((c) => description.includes(c))) {
        wrong.push(`${original.id} (${sent.kind}): description ${description.slice(0, 200)}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(letters.length).toBe(hostile.length + burst.length);

    await expectAppliedExactlyOnce(stack.store.db, orders);

    // Logs: bounded lines, no card-like data, no payload.
    const deadLettered = lines.filter((l) => l.includes('psp result dead-lettered'));
    expect(deadLettered.length).toBeGreaterThanOrEqual(hostile.length + burst.length);
    expect(lines.filter((l) => l.length > 4_096).map((l) => l.slice(0, 200))).toEqual([]);
    expect(lines.filter((l) => leakCanaries.some((c) => l.includes(c))).map((l) => l.slice(0, 300))).toEqual([]);
  });
});
