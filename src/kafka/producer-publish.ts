import type * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { Producer } from 'kafkajs';
import type { Observable } from 'rxjs';
import { fromTask } from '../operators/effects.js';
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
  (records: readonly OutgoingRecord[]): Observable<E.Either<KafkaError, void>> => {
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
    const topicMessages = [...byTopic].map(([topic, rs]) => ({
      topic,
      messages: rs.map((r) => ({
        key: r.key,
        value: r.value,
        // A record keeps the `traceparent` it was recorded with: its own trace, not this send's.
        headers: r.headers,
      })),
    }));
    return fromTask(
      TE.tryCatch(async () => {
        await producer.sendBatch({ acks: -1, topicMessages });
      }, kafkaErrorOf),
    );
  };
