import { Buffer } from 'node:buffer';
import type * as E from 'fp-ts/lib/Either.js';
import type { IHeaders, Message, Producer } from 'kafkajs';
import type { Observable } from 'rxjs';
import { fromTask } from '../operators/effects.js';
import type { DeadLetter } from '../streams/consumed-message.js';
import type { KafkaError } from './kafka-error.js';
import { sendInChunks } from './send-in-chunks.js';

/** Headers a dead letter carries besides the original record's own. */
export const deadLetterHeaders = {
  reason: 'dlq-reason',
  description: 'dlq-description',
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
  time: 'dlq-time',
} as const;

/**
 * The same facts under Spring Kafka's names (`KafkaHeaders.DLT_*`), encoded as its
 * `DeadLetterPublishingRecoverer` does: partition a 4-byte big-endian int, offset and timestamp 8-byte
 * big-endian longs, the rest UTF-8. The exception class is our reason code.
 */
export const springDeadLetterHeaders = {
  topic: 'kafka_dlt-original-topic',
  partition: 'kafka_dlt-original-partition',
  offset: 'kafka_dlt-original-offset',
  timestamp: 'kafka_dlt-original-timestamp',
  timestampType: 'kafka_dlt-original-timestamp-type',
  exceptionFqcn: 'kafka_dlt-exception-fqcn',
  exceptionMessage: 'kafka_dlt-exception-message',
} as const;

const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

const int64 = (n: string): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
};

/** A Spring header's value as written by `deadLetterMessage` (or by Spring): the numbers decoded. */
export const springHeaderNumber = (value: Buffer | undefined): string | undefined => {
  if (value === undefined) return undefined;
  if (value.length === 4) return String(value.readInt32BE());
  if (value.length === 8) return value.readBigInt64BE().toString();
  return undefined;
};

export const deadLetterMessage = ({ message, reason, description }: DeadLetter, time: string): Message => ({
  key: message.key,
  value: message.value,
  headers: {
    ...(message.headers as IHeaders),
    [deadLetterHeaders.reason]: reason,
    [deadLetterHeaders.description]: description.slice(0, 2_000),
    [deadLetterHeaders.topic]: message.topic,
    [deadLetterHeaders.partition]: String(message.partition),
    [deadLetterHeaders.offset]: message.offset,
    [deadLetterHeaders.time]: time,
    [springDeadLetterHeaders.topic]: message.topic,
    [springDeadLetterHeaders.partition]: int32(message.partition),
    [springDeadLetterHeaders.offset]: int64(message.offset),
    ...(message.timestamp === undefined
      ? {}
      : {
          [springDeadLetterHeaders.timestamp]: int64(message.timestamp),
          [springDeadLetterHeaders.timestampType]: 'CreateTime',
        }),
    [springDeadLetterHeaders.exceptionFqcn]: reason,
    [springDeadLetterHeaders.exceptionMessage]: description.slice(0, 2_000),
  },
});

/**
 * Publishes dead letters with the original key, value and headers, in order, acknowledged by all in-sync
 * replicas, in size-bounded sends. A retry after a partial failure keeps some letters twice: at least once.
 */
export const deadLetterPublisher =
  (producer: Producer, dlqTopic: string, clock: () => Date) =>
  (letters: readonly DeadLetter[]): Observable<E.Either<KafkaError, void>> =>
    fromTask(() => {
      const time = clock().toISOString();
      return sendInChunks(
        producer,
        dlqTopic,
        letters.map((l) => deadLetterMessage(l, time)),
      );
    });
