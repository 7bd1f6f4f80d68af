import kafkajs from 'kafkajs';

// kafkajs is CommonJS: Node's ESM loader cannot see this class as a named export.
const { KafkaJSError } = kafkajs;

/** A failed Kafka call, as a value, with the client's own verdict on whether trying again can help. */
export interface KafkaError {
  readonly _tag: 'KafkaError';
  readonly code: string;
  readonly retryable: boolean;
  readonly message: string;
  readonly cause: unknown;
}

export const kafkaErrorOf = (error: unknown): KafkaError => {
  if (error instanceof KafkaJSError) {
    const code = (error as { type?: string }).type ?? error.name;
    return { _tag: 'KafkaError', code, retryable: error.retriable, message: error.message, cause: error };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { _tag: 'KafkaError', code: 'kafka-unexpected', retryable: true, message, cause: error };
};
