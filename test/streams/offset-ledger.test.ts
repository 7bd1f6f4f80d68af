import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OffsetLedger } from '../../src/streams/offset-ledger.js';

function ledgerWith(partition: number, offsets: readonly number[]): OffsetLedger {
  const ledger = new OffsetLedger();
  for (const offset of offsets) ledger.admit(partition, offset);
  return ledger;
}

describe('OffsetLedger', () => {
  it('commits nothing past an unfinished offset', () => {
    const ledger = ledgerWith(0, [0, 1, 2]);
    ledger.complete(0, 0);
    ledger.complete(0, 2);
    expect(ledger.committable(0)).toBe(1);
    ledger.complete(0, 1);
    expect(ledger.committable(0)).toBe(3);
  });

  it('commits past the last finished offset even when offsets are not contiguous', () => {
    const ledger = ledgerWith(0, [0, 5, 9]);
    for (const offset of [9, 0, 5]) ledger.complete(0, offset);
    expect(ledger.committable(0)).toBe(10);
  });

  it('offers nothing before anything completes, nor again once Kafka acknowledged it', () => {
    const ledger = ledgerWith(0, [3, 4]);
    expect(ledger.committable(0)).toBeUndefined();
    ledger.complete(0, 3);
    ledger.committed(0, 4);
    expect(ledger.committable(0)).toBeUndefined();
    ledger.complete(0, 4);
    expect(ledger.committable(0)).toBe(5);
  });

  it('still offers what finished after a commit was sent but before it was acknowledged', () => {
    const ledger = ledgerWith(0, [0, 1]);
    ledger.complete(0, 0);
    ledger.complete(0, 1);
    ledger.committed(0, 1);
    expect(ledger.committable(0)).toBe(2);
  });

  it('lists only partitions with something new to commit', () => {
    const ledger = new OffsetLedger();
    for (const partition of [0, 1, 2]) ledger.admit(partition, 7);
    ledger.complete(0, 7);
    ledger.complete(2, 7);
    ledger.committed(2, 8);
    expect(ledger.pendingCommits()).toEqual([[0, 8]]);
  });

  it('keeps partitions independent', () => {
    const ledger = new OffsetLedger();
    ledger.admit(0, 10);
    ledger.admit(1, 10);
    ledger.admit(1, 11);
    ledger.complete(1, 11);
    expect(ledger.complete(0, 11)).toBe(false);
    ledger.complete(0, 10);
    expect(ledger.committable(0)).toBe(11);
    expect(ledger.committable(1)).toBeUndefined();
    expect(ledger.partitions()).toEqual([0, 1]);
  });

  it('forgets a revoked partition until it is admitted again', () => {
    const ledger = ledgerWith(0, [0, 1]);
    ledger.complete(0, 0);
    ledger.revoke(0);
    expect(ledger.complete(0, 1)).toBe(false);
    expect(ledger.committable(0)).toBeUndefined();
    expect(ledger.pendingCommits()).toEqual([]);
    expect(ledger.partitions()).toEqual([]);
    expect(ledger.admit(0, 0)).toBe(true);
    ledger.complete(0, 0);
    expect(ledger.committable(0)).toBe(1);
  });

  it('refuses offsets admitted out of order and ignores unknown completions', () => {
    const ledger = ledgerWith(0, [5]);
    expect(ledger.admit(0, 5)).toBe(false);
    expect(ledger.admit(0, 4)).toBe(false);
    expect(ledger.complete(0, 4)).toBe(false);
    expect(ledger.inFlight(0)).toBe(1);
    expect(ledger.complete(0, 5)).toBe(true);
    expect(ledger.complete(0, 5)).toBe(false);
  });

  it('counts unfinished messages, and finished ones awaiting a commit', () => {
    const ledger = ledgerWith(0, [0, 1, 2, 3]);
    ledger.complete(0, 0);
    ledger.complete(0, 1);
    ledger.complete(0, 3);
    expect(ledger.inFlight(0)).toBe(1);
    expect(ledger.uncommittedDone(0)).toBe(2);
    ledger.committed(0, 1);
    expect(ledger.uncommittedDone(0)).toBe(1);
    ledger.complete(0, 2);
    expect(ledger.inFlight(0)).toBe(0);
    expect(ledger.uncommittedDone(0)).toBe(3);
    ledger.committed(0, 4);
    expect(ledger.uncommittedDone(0)).toBe(0);
    expect(ledger.inFlight(9)).toBe(0);
  });

  it('keeps its place over a long run of commits', () => {
    const ledger = new OffsetLedger();
    for (let offset = 0; offset < 20_000; offset += 2) {
      ledger.admit(0, offset);
      ledger.complete(0, offset);
      const next = ledger.committable(0);
      if (next !== undefined && offset % 1000 === 0) ledger.committed(0, next);
    }
    ledger.admit(0, 20_001);
    expect(ledger.committable(0)).toBe(19_999);
    expect(ledger.complete(0, 20_001)).toBe(true);
    expect(ledger.committable(0)).toBe(20_002);
  });

  it('offers the end of the finished prefix, never moving back, whatever the completion order', () => {
    const admissions = fc
      .uniqueArray(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 60 })
      .map((offsets) => offsets.sort((a, b) => a - b))
      .chain((offsets) => fc.tuple(fc.constant(offsets), fc.shuffledSubarray(offsets, { minLength: offsets.length })));
    fc.assert(
      fc.property(admissions, ([offsets, completions]) => {
        const ledger = ledgerWith(3, offsets);
        const finished = new Set<number>();
        let previous = -Infinity;
        for (const offset of completions) {
          ledger.complete(3, offset);
          finished.add(offset);
          const unfinished = offsets.findIndex((o) => !finished.has(o));
          const prefix = unfinished === -1 ? offsets.length : unfinished;
          const expected = prefix === 0 ? undefined : (offsets[prefix - 1] ?? 0) + 1;
          const actual = ledger.committable(3);
          expect(actual).toBe(expected);
          if (actual !== undefined) {
            expect(actual).toBeGreaterThanOrEqual(previous);
            previous = actual;
          }
        }
      }),
    );
  });
});
