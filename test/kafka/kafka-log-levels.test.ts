import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createKafka } from '../../src/kafka/client.js';

/** kafkajs' own log lines, through the logger createKafka gives it: what level an operator sees them at. */
const levelsOf = (entries: readonly [string, Record<string, unknown>][]): number[] => {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  const kafkaLogger = createKafka({ brokers: ['127.0.0.1:1'], clientId: 'levels' }, logger).logger();
  for (const [message, extra] of entries) kafkaLogger.error(message, extra);
  return lines.map((l) => (JSON.parse(l) as { level: number }).level);
};

describe("kafkajs' log lines", () => {
  it('are info when they name what a fresh or changing cluster always goes through', () => {
    expect(
      levelsOf([
        [
          'Response GroupCoordinator(key: 10, version: 2)',
          { error: 'The coordinator is loading and hence cannot process requests' },
        ],
        ['Response InitProducerId(key: 22, version: 1)', { error: 'The group coordinator is not available' }],
        ['Response CreateTopics(key: 19, version: 3)', { error: 'Topic creation errors' }],
        ['The group is rebalancing, re-joining', {}],
        ['Response Metadata(key: 3, version: 6)', { error: 'This server does not host this topic-partition' }],
        [
          'Response AddPartitionsToTxn(key: 24, version: 1)',
          {
            error:
              'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
          },
        ],
      ]),
    ).toEqual([30, 30, 30, 30, 30, 30]);
  });

  it('stay errors otherwise', () => {
    expect(
      levelsOf([
        ['Response Produce(key: 0, version: 7)', { error: 'Not authorized to access topics' }],
        // a topic gone while records are being written to it is no start-up race
        ['Response Produce(key: 0, version: 7)', { error: 'This server does not host this topic-partition' }],
      ]),
    ).toEqual([50, 50]);
  });
});
