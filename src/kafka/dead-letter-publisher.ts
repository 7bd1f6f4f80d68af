import * as E from 'fp-ts/lib/Either.js';
import type { IHeaders, Producer } from 'kafkajs';
import { defer, from, type Observable } from 'rxjs';
import type { DeadLetter } from '../streams/consumed-message.js';
import { kafkaErrorOf, type KafkaError } from './kafka-error.js';

/** Headers a dead letter carries besides the original record's own. */
export const deadLetterHeaders = {
  reason: 'dlq-reason',
  description: 'dlq-description',
  topic: 'dlq-original-topic',
  partition: 'dlq-original-partition',
  offset: 'dlq-original-offset',
  time: 'dlq-time',
} as const;

/** Publishes dead letters with the original key, value and headers, acknowledged by all in-sync replicas. */
export const deadLetterPublisher =
  (producer: Producer, dlqTopic: string, clock: () => Date) =>
  (letters: readonly DeadLetter[]): Observable<E.Either<KafkaError, void>> =>
    defer(() => {
      const time = clock().toISOString();
      return from(
        producer
          .send({
            topic: dlqTopic,
            acks: -1,
            messages: letters.map(({ message, reason, description }) => ({
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
            })),
          })
          .then(
            (): E.Either<KafkaError, void> => E.right(undefined),
            (error: unknown): E.Either<KafkaError, void> => E.left(kafkaErrorOf(error)),
          ),
      );
    });
