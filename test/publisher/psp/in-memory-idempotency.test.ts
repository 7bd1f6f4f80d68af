import { describe, expect, it } from 'vitest';
import { inMemoryIdempotency, type StoredAnswer } from '../../../src/publisher/psp/index.js';
import { orderId } from './simulators.js';

const stored = (writer: string): StoredAnswer => ({
  paymentOrderId: orderId('o-1'),
  request: '["o-1",1250,"EUR"]',
  answer: { pspStatus: 'SUCCESSFUL', pspReference: `pi_${writer}` },
  writer,
});

describe('inMemoryIdempotency', () => {
  it('keeps the first answer put under a key and hands it to later writers', async () => {
    const memory = inMemoryIdempotency();
    expect(await memory.get('k')).toBeUndefined();
    expect(await memory.put('k', stored('first'))).toEqual(stored('first'));
    expect(await memory.put('k', stored('second'))).toEqual(stored('first'));
    expect(await memory.get('k')).toEqual(stored('first'));
  });

  it('lets the first of concurrent writers win', async () => {
    const memory = inMemoryIdempotency();
    const winners = await Promise.all(['a', 'b', 'c'].map((writer) => memory.put('k', stored(writer))));
    expect(new Set(winners.map((w) => w.writer))).toEqual(new Set(['a']));
  });

  it('counts charges per payment order', async () => {
    const memory = inMemoryIdempotency();
    await memory.countCharge(orderId('o-1'));
    await memory.countCharge(orderId('o-1'));
    await memory.countCharge(orderId('o-2'));
    expect(await memory.charges(orderId('o-1'))).toBe(2);
    expect(await memory.charges(orderId('o-2'))).toBe(1);
    expect(await memory.charges(orderId('o-3'))).toBe(0);
  });

  it('keeps separate memories apart', async () => {
    const one = inMemoryIdempotency();
    await one.put('k', stored('a'));
    await one.countCharge(orderId('o-1'));
    const other = inMemoryIdempotency();
    expect(await other.get('k')).toBeUndefined();
    expect(await other.charges(orderId('o-1'))).toBe(0);
  });
});
