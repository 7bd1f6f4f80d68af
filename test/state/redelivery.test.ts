import { describe, expect, it } from 'vitest';
import type { HistoryEntry, RecordedOutcome } from '../../src/state/index.js';
import { outcomeRecordedBy } from '../../src/state/redelivery.js';
import { at, source } from './fixtures.js';

const entry = (
  outcome: string,
  to: HistoryEntry['to'] = 'SUCCESSFUL',
  extra: Partial<HistoryEntry> = {},
): HistoryEntry => ({
  key: 'k',
  kind: 'psp-result',
  // What a stored entry holds is whatever a release wrote: read as a string, as MongoDB gives it back.
  outcome: outcome as RecordedOutcome,
  to,
  pspStatus: 'DECLINED',
  eventTime: at(1),
  appliedAt: at(2),
  ...source(7),
  ...extra,
});

describe('outcomeRecordedBy', () => {
  it('answers a redelivery of the very record with what its entry recorded, in every stored spelling', () => {
    expect(
      [
        entry('applied', 'FAILED', { reason: 'retries exhausted' }),
        entry('stale', 'PENDING'),
        entry('ignored-terminal'),
        entry('invalid-transition', 'CAPTURE_PENDING'),
        // Labels, which a later release may write instead.
        entry('ignored_terminal'),
        entry('invalid_transition', 'CAPTURE_PENDING'),
      ].map((e) => outcomeRecordedBy(e, source(7))),
    ).toEqual([
      { _tag: 'Applied', to: 'FAILED', reason: 'retries exhausted', redelivered: true },
      { _tag: 'Stale', redelivered: true },
      { _tag: 'IgnoredTerminal', status: 'SUCCESSFUL', redelivered: true },
      { _tag: 'InvalidTransition', status: 'CAPTURE_PENDING', redelivered: true },
      { _tag: 'IgnoredTerminal', status: 'SUCCESSFUL', redelivered: true },
      { _tag: 'InvalidTransition', status: 'CAPTURE_PENDING', redelivered: true },
    ]);
  });

  it('is no redelivery when another record wrote the entry', () => {
    expect(outcomeRecordedBy(entry('applied'), source(8))).toBeUndefined();
    expect(outcomeRecordedBy(entry('applied'), source(7, 1))).toBeUndefined();
    expect(outcomeRecordedBy(entry('applied'), source(7, 0, 'other'))).toBeUndefined();
  });

  it('is the outcome itself, not a redelivery, when this very call wrote the entry', () => {
    expect(outcomeRecordedBy(entry('ignored-terminal'), source(7), [at(0), at(2)])).toEqual({
      _tag: 'IgnoredTerminal',
      status: 'SUCCESSFUL',
    });
  });

  it('reads a spelling it does not know as no recorded outcome', () => {
    expect(outcomeRecordedBy(entry('rejected'), source(7))).toBeUndefined();
  });
});
