import * as E from 'fp-ts/lib/Either.js';
import type { Message, Producer } from 'kafkajs';
import { kafkaErrorOf, type KafkaError } from './kafka-error.js';
import { chunksWithin } from './record-size.js';

/**
 * kafkajs puts one send's records for a partition into one record batch, and the broker bounds the batch
 * by the topic's `max.message.bytes`: sends of bounded size keep a few large records from making the whole
 * batch unacceptable. A record larger than the budget is sent alone.
 */
export const sendBudgetBytes = 256 * 1024;

/**
 * Sends the messages in order, in sends of at most `sendBudgetBytes`, each acknowledged by all in-sync
 * replicas (through a producer or a transaction); stops at the first failure. The sends before it stay published: a retry publishes them again.
 */
export const sendInChunks = async (
  producer: Pick<Producer, 'send'>,
  topic: string,
  messages: readonly Message[],
): Promise<E.Either<KafkaError, void>> => {
  for (const chunk of chunksWithin(messages, sendBudgetBytes)) {
    try {
      await producer.send({ topic, acks: -1, messages: chunk });
    } catch (error: unknown) {
      return E.left(kafkaErrorOf(error));
    }
  }
  return E.right(undefined);
};
