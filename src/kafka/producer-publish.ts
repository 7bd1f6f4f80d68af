import * as E from 'fp-ts/lib/Either.js';
import type { Producer } from 'kafkajs';
import { defer, from, type Observable } from 'rxjs';
import { originTraceparentHeader } from '../telemetry/trace-context.js';
import { kafkaErrorOf, type KafkaError } from './kafka-error.js';

export interface OutgoingRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Sends records with the idempotent producer, acknowledged by all in-sync replicas, grouped by topic in
 * one `sendBatch`. Order within a partition is the order given.
 */
export const producerPublish =
  (producer: Producer) =>
  (records: readonly OutgoingRecord[]): Observable<E.Either<KafkaError, void>> =>
    defer(() => {
      const byTopic = new Map<string, OutgoingRecord[]>();
      for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
      return from(
        producer
          .sendBatch({
            acks: -1,
            topicMessages: [...byTopic].map(([topic, rs]) => ({
              topic,
              messages: rs.map((r) => ({
                key: r.key,
                value: r.value,
                headers: {
                  ...r.headers,
                  ...(r.headers['traceparent'] === undefined
                    ? {}
                    : { [originTraceparentHeader]: r.headers['traceparent'] }),
                },
              })),
            })),
          })
          .then(
            (): E.Either<KafkaError, void> => E.right(undefined),
            (error: unknown): E.Either<KafkaError, void> => E.left(kafkaErrorOf(error)),
          ),
      );
    });
