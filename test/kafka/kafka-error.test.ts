import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaErrorOf } from '../../src/kafka/kafka-error.js';

const { KafkaJSNumberOfRetriesExceeded, KafkaJSConnectionError, KafkaJSNonRetriableError, KafkaJSError } = kafkajs;

describe('Kafka errors as values', () => {
  it('retries what kafkajs gave up on after its own retries, and connection failures', () => {
    expect(
      kafkaErrorOf(new KafkaJSNumberOfRetriesExceeded(new Error('broker down'), { retryCount: 5, retryTime: 5000 }))
        .retryable,
    ).toBe(true);
    expect(kafkaErrorOf(new KafkaJSConnectionError('Connection error: ECONNREFUSED')).retryable).toBe(true);
  });

  it('keeps kafkajs’ own verdict otherwise', () => {
    expect(kafkaErrorOf(new KafkaJSError('leader moved', { retriable: true })).retryable).toBe(true);
    expect(kafkaErrorOf(new KafkaJSNonRetriableError('message too large')).retryable).toBe(false);
  });

  it('does not retry what is not a Kafka failure: a bug would otherwise stall a partition forever', () => {
    expect(kafkaErrorOf(new TypeError('headers is not iterable'))).toMatchObject({
      code: 'kafka-unexpected',
      retryable: false,
    });
  });
});
