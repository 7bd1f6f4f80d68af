import type * as E from 'fp-ts/lib/Either.js';
import type { IHeaders, Message, Producer } from 'kafkajs';
import { defer, from, type Observable } from 'rxjs';
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

const deadLetterMessage = ({ message, reason, description }: DeadLetter, time: string): Message => ({
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
  },
});

/**
 * Publishes dead letters with the original key, value and headers, in order, acknowledged by all in-sync
 * replicas, in size-bounded sends. A retry after a partial failure keeps some letters twice: at least once.
 */
export const deadLetterPublisher =
  (producer: Producer, dlqTopic: string, clock: () => Date) =>
  (letters: readonly DeadLetter[]): Observable<E.Either<KafkaError, void>> =>
    defer(() => {
      const time = clock().toISOString();
      return from(
        sendInChunks(
          producer,
          dlqTopic,
          letters.map((l) => deadLetterMessage(l, time)),
        ),
      );
    });
