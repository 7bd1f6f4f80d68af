import { describe, expect, it } from 'vitest';
import { chunksWithin, recordSize } from '../../src/kafka/record-size.js';

const record = (bytes: number) => ({ key: 'k', value: Buffer.alloc(bytes) });

describe('chunksWithin', () => {
  it('keeps the order and puts a record larger than the budget on its own', () => {
    const records = [record(10), record(10), record(5_000), record(10), record(10)];
    const chunks = chunksWithin(records, 1_000);
    expect(chunks.flat()).toEqual(records);
    expect(chunks.map((c) => c.length)).toEqual([2, 1, 2]);
  });

  it('keeps every chunk of small records within the budget', () => {
    const chunks = chunksWithin(
      Array.from({ length: 100 }, () => record(100)),
      1_000,
    );
    for (const c of chunks) expect(c.reduce((n, r) => n + recordSize(r), 0)).toBeLessThanOrEqual(1_000);
  });

  it('counts headers, and anything that is not bytes as nothing', () => {
    const base = recordSize({ key: null, value: null });
    expect(recordSize({ value: null, headers: { ab: 'cd', e: ['f', Buffer.from('gh')] } })).toBe(base + 12 + 10 + 11);
    expect(recordSize({ value: null, headers: { x: [Object as never] } })).toBe(base + 9);
  });
});
