import { describe, expect, it } from 'vitest';
import { maskCardNumbers } from '../../src/codecs/mask-card-numbers.js';

describe('maskCardNumbers', () => {
  it.each([
    '4111111111111111',
    '4111 1111 1111 1111',
    '5500-0000-0000-0004',
    '3782 822463 10005',
    '411111111111',
    '4111 1111 1111 11',
  ])('masks %s', (pan) => {
    expect(maskCardNumbers(`got "${pan}" here`)).toBe('got "[digits masked]" here');
  });

  it.each([
    'value of 1048576 bytes exceeds the limit of 65536 bytes',
    'at position 12345 (line 1 column 12346)',
    '2026-11-25T10:00:00.000Z',
    'order po-2026-11-25-000123',
  ])('leaves %s alone', (text) => {
    expect(maskCardNumbers(text)).toBe(text);
  });
});
