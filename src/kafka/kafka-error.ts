import kafkajs from 'kafkajs';
import type { KafkaErrorCode } from '../errors/error-codes.js';

// kafkajs is CommonJS: Node's ESM loader cannot see this class as a named export.
const { KafkaJSError } = kafkajs;

/** A failed Kafka call, as a value, with the client's own verdict on whether trying again can help. */
export interface KafkaError {
  readonly _tag: 'KafkaError';
  readonly code: KafkaErrorCode;
  readonly retryable: boolean;
  readonly message: string;
  readonly cause: unknown;
}

export const kafkaErrorOf = (error: unknown): KafkaError => {
  if (error instanceof KafkaJSError) {
    const type = (error as { type?: string }).type ?? error.name;
    // kafkajs gives up after its own bounded retries and calls that final, though what failed (a broker
    // away, a leader moving) will pass: our layer above retries it with backoff.
    const gaveUp = error.name === 'KafkaJSNumberOfRetriesExceeded' || error.name === 'KafkaJSConnectionError';
    const retryable = error.retriable || gaveUp;
    return {
      _tag: 'KafkaError',
      code: retryable ? 'kafka-transient' : 'kafka-rejected',
      retryable,
      message: `${type}: ${error.message}`,
      cause: error,
    };
  }
  // kafkajs wraps every broker and network failure in a KafkaJSError; anything else is a bug, and retrying
  // a bug forever would stall a partition without a sound.
  const message = error instanceof Error ? error.message : String(error);
  return { _tag: 'KafkaError', code: 'kafka-unexpected', retryable: false, message, cause: error };
};

/** A commit refused before it was sent: these partitions are no longer this member's. */
export const partitionsNotOwned = (partitions: readonly number[]): KafkaError => ({
  _tag: 'KafkaError',
  code: 'partition-not-owned',
  retryable: true,
  message: `not sent: partitions ${partitions.join(', ')} are not assigned to this member`,
  cause: undefined,
});
