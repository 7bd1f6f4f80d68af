import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../src/state/payment-order.js';
import { resultMemory } from '../../src/state/result-memory.js';

const entry = (key: string, to: HistoryEntry['to'] = 'PENDING'): HistoryEntry =>
  ({ key, to }) as unknown as HistoryEntry;

describe('the worker’s result memory (resultMemory)', () => {
  it('remembers the latest event keys up to its bound and forgets the oldest first', () => {
    const memory = resultMemory(3);
    for (const k of ['k1', 'k2', 'k3', 'k4', 'k5']) memory.remember('po-1', entry(k));
    expect(['k1', 'k2', 'k3', 'k4', 'k5'].map((k) => memory.recorded(k)?.key)).toEqual([
      undefined,
      undefined,
      'k3',
      'k4',
      'k5',
    ]);
  });

  it('takes no second place for a key it already holds, so a repeat never pushes another key out', () => {
    const memory = resultMemory(2);
    memory.remember('po-1', entry('a'));
    memory.remember('po-1', entry('b'));
    memory.remember('po-1', entry('b'));
    memory.remember('po-1', entry('a'));
    expect([memory.recorded('a')?.key, memory.recorded('b')?.key]).toEqual(['a', 'b']);
    memory.remember('po-1', entry('c'));
    expect([memory.recorded('a'), memory.recorded('b')?.key, memory.recorded('c')?.key]).toEqual([undefined, 'b', 'c']);
  });

  it('remembers a terminal status once, and as many terminal orders as its bound', () => {
    const memory = resultMemory(2);
    memory.observe('po-1', 'SUCCESSFUL');
    memory.observe('po-1', 'DECLINED');
    memory.observe('po-2', 'PENDING');
    memory.remember('po-3', entry('k', 'FAILED'));
    expect([memory.terminal('po-1'), memory.terminal('po-2'), memory.terminal('po-3')]).toEqual([
      'SUCCESSFUL',
      undefined,
      'FAILED',
    ]);
    memory.observe('po-4', 'DECLINED');
    expect([memory.terminal('po-1'), memory.terminal('po-3'), memory.terminal('po-4')]).toEqual([
      undefined,
      'FAILED',
      'DECLINED',
    ]);
  });
});
