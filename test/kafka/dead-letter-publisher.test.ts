import { Buffer } from 'node:buffer';
import type { IHeaders } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  deadLetterHeaders,
  deadLetterMessage,
  springDeadLetterHeaders,
  springHeaderNumber,
} from '../../src/kafka/dead-letter-publisher.js';
import { originalRecordOf, reasonOf } from '../../src/redrive/dead-letter-redrive.js';
import type { StoredRecord } from '../../src/kafka/topic-range-reader.js';
import type { DeadLetter } from '../../src/streams/consumed-message.js';

const letter: DeadLetter = {
  message: {
    topic: 'psp-result-updates',
    partition: 6,
    offset: '2068',
    key: Buffer.from('po-1'),
    value: Buffer.from('{'),
    headers: { traceparent: Buffer.from('00-abc-def-01') },
    timestamp: '1764547200123',
    receivedAt: 0,
  },
  reason: 'invalid-json',
  description: 'value is not JSON',
};

const asBuffer = (v: IHeaders[string]): Buffer => (typeof v === 'string' ? Buffer.from(v) : (v as Buffer));

describe('dead-letter headers', () => {
  it("carries Spring Kafka's kafka_dlt-* headers, encoded as DeadLetterPublishingRecoverer does", () => {
    const headers = deadLetterMessage(letter, '2026-12-01T00:00:00.000Z').headers ?? {};
    const h = (name: string): Buffer => asBuffer(headers[name]);
    expect(h(springDeadLetterHeaders.topic).toString()).toBe('psp-result-updates');
    // ByteBuffer.allocate(4).putInt(6), ByteBuffer.allocate(8).putLong(2068)
    expect([...h(springDeadLetterHeaders.partition)]).toEqual([0, 0, 0, 6]);
    expect([...h(springDeadLetterHeaders.offset)]).toEqual([0, 0, 0, 0, 0, 0, 0x08, 0x14]);
    expect(h(springDeadLetterHeaders.timestamp).readBigInt64BE()).toBe(1764547200123n);
    expect(h(springDeadLetterHeaders.timestampType).toString()).toBe('CreateTime');
    expect(h(springDeadLetterHeaders.exceptionFqcn).toString()).toBe('invalid-json');
    expect(h(springDeadLetterHeaders.exceptionMessage).toString()).toBe('value is not JSON');
    expect(springHeaderNumber(h(springDeadLetterHeaders.partition))).toBe('6');
    expect(springHeaderNumber(h(springDeadLetterHeaders.offset))).toBe('2068');
    // and ours, alongside
    expect(h(deadLetterHeaders.reason).toString()).toBe('invalid-json');
    expect(h(deadLetterHeaders.offset).toString()).toBe('2068');
  });

  it('leaves the timestamp headers out when the record had no timestamp', () => {
    const { timestamp: _, ...message } = letter.message;
    const headers = deadLetterMessage({ ...letter, message }, 'now').headers ?? {};
    expect(Object.keys(headers)).not.toContain(springDeadLetterHeaders.timestamp);
    expect(Object.keys(headers)).not.toContain(springDeadLetterHeaders.timestampType);
  });

  it('redrive restores the original record from our letters, stripping both header sets', () => {
    const headers = deadLetterMessage(letter, 'now').headers ?? {};
    const stored: StoredRecord = {
      offset: '0',
      key: letter.message.key,
      value: letter.message.value,
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, asBuffer(v)])),
    };
    expect(reasonOf(stored)).toBe('invalid-json');
    expect(Object.keys(originalRecordOf(stored).headers ?? {})).toEqual(['traceparent']);
  });

  it('redrive understands a letter written by Spring Kafka: reason from the exception class, kafka_dlt-* stripped', () => {
    const stored: StoredRecord = {
      offset: '0',
      key: Buffer.from('po-2'),
      value: Buffer.from('{}'),
      headers: {
        traceparent: Buffer.from('00-abc-def-01'),
        'kafka_dlt-original-topic': Buffer.from('psp-result-updates'),
        'kafka_dlt-original-partition': Buffer.from([0, 0, 0, 1]),
        'kafka_dlt-original-offset': Buffer.from([0, 0, 0, 0, 0, 0, 0, 9]),
        'kafka_dlt-exception-fqcn': Buffer.from(
          'org.springframework.kafka.support.serializer.DeserializationException',
        ),
        'kafka_dlt-exception-message': Buffer.from('failed'),
        'kafka_dlt-exception-stacktrace': Buffer.from('at ...'),
        'kafka_dlt-original-consumer-group': Buffer.from('g'),
      },
    };
    expect(reasonOf(stored)).toBe('org.springframework.kafka.support.serializer.DeserializationException');
    expect(originalRecordOf(stored)).toEqual({
      key: Buffer.from('po-2'),
      value: Buffer.from('{}'),
      headers: { traceparent: Buffer.from('00-abc-def-01') },
    });
  });
});
