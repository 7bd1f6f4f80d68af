import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

/**
 * kafkajs' read_committed filter, as patched in patches/kafkajs+2.2.4.patch. The DLQ is written by one
 * transactional producer per input partition, so aborted transactions of several producers interleave; the
 * unpatched filter opened one aborted transaction per record and handed over the first records of the
 * others (82 doubled dead letters of 3,000 in a kill loop, where Java's read_committed consumer read none).
 */
type Message = {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly batchContext: { readonly producerId: string; readonly inTransaction: boolean };
};
const require = createRequire(import.meta.url);
const filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages.js') as (args: {
  messages: readonly Message[];
  abortedTransactions: readonly { firstOffset: string; producerId: string }[];
}) => Message[];

const record = (offset: number, producerId: string): Message => ({
  offset: String(offset),
  key: Buffer.from(`r${offset}`),
  batchContext: { producerId, inTransaction: true },
});
const abortMarker = (offset: number, producerId: string): Message => ({
  offset: String(offset),
  key: Buffer.from([0, 0, 0, 0]),
  batchContext: { producerId, inTransaction: true },
});
const offsetsOf = (messages: readonly Message[]): string[] => messages.map((m) => m.offset);

describe("kafkajs' filter of aborted transactions (patched)", () => {
  it('drops every record of aborted transactions that began before the fetched range', () => {
    // Producers 1 and 2 both began aborted transactions (at 0 and 1) before this fetch, which starts at 3 with
    // producer 2's record; producer 3 commits in between.
    const messages = [record(3, '2'), record(4, '1'), record(5, '3'), abortMarker(6, '1'), abortMarker(7, '2')];
    const kept = filterAbortedMessages({
      messages,
      abortedTransactions: [
        { firstOffset: '0', producerId: '1' },
        { firstOffset: '1', producerId: '2' },
      ],
    });
    expect(offsetsOf(kept.filter((m) => !m.key?.equals(Buffer.from([0, 0, 0, 0]))))).toEqual(['5']);
  });

  it("does not depend on the order of the broker's list", () => {
    const messages = [record(3, '1'), record(4, '2'), record(5, '3')];
    const kept = filterAbortedMessages({
      messages,
      abortedTransactions: [
        { firstOffset: '2', producerId: '2' },
        { firstOffset: '0', producerId: '1' },
      ],
    });
    expect(offsetsOf(kept)).toEqual(['5']);
  });

  it("keeps a producer's records again after its abort marker", () => {
    const messages = [record(0, '1'), abortMarker(1, '1'), record(2, '1')];
    const kept = filterAbortedMessages({ messages, abortedTransactions: [{ firstOffset: '0', producerId: '1' }] });
    expect(offsetsOf(kept)).toEqual(['1', '2']);
  });
});
