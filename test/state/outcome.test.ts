import { describe, expect, it } from 'vitest';
import {
  labelOfRecorded,
  outcomeLabel,
  outcomeLabels,
  outcomeVocabulary,
  recordedTagOf,
  type Outcome,
} from '../../src/state/index.js';
import { recordedOutcomeOf } from '../../src/state/outcome.js';
import { outcomeLabelContract } from '../support/outcome-labels.js';

// The one outcome vocabulary (src/state/outcome.ts). Its words are contracts, so they are written out
// literally: the labels (test/support/outcome-labels.ts) are Prometheus label values that dashboards and alert
// rules select on, the recorded spellings (here) are what every stored history entry holds.

const everyOutcome: readonly Outcome[] = [
  { _tag: 'Applied', to: 'PENDING' },
  { _tag: 'Duplicate' },
  { _tag: 'Stale' },
  { _tag: 'IgnoredTerminal', status: 'SUCCESSFUL' },
  { _tag: 'InvalidTransition', status: 'CAPTURE_PENDING' },
  { _tag: 'UnknownOrder' },
];

describe('the outcome vocabulary', () => {
  it('names every outcome by the label the metrics have always used', () => {
    expect(everyOutcome.map(outcomeLabel)).toEqual(outcomeLabelContract);
    expect(outcomeLabels).toEqual(everyOutcome.map(outcomeLabel));
    expect(Object.keys(outcomeVocabulary)).toEqual(everyOutcome.map((o) => o._tag));
  });

  it('records in history the spellings every stored entry has: only the outcomes a result writes', () => {
    expect(
      (['Applied', 'Stale', 'IgnoredTerminal', 'InvalidTransition'] as const).map((t) => recordedOutcomeOf(t)),
    ).toEqual(['applied', 'stale', 'ignored-terminal', 'invalid-transition']);
    expect(Object.entries(outcomeVocabulary).filter(([, w]) => !('recordedAs' in w))).toEqual([
      ['Duplicate', { label: 'duplicate' }],
      ['UnknownOrder', { label: 'unknown_order' }],
    ]);
  });

  it('reads a recorded outcome back from its stored spelling, or from its label (which a later release may write)', () => {
    expect(
      ['applied', 'stale', 'ignored-terminal', 'invalid-transition'].map((s) => [recordedTagOf(s), labelOfRecorded(s)]),
    ).toEqual([
      ['Applied', 'applied'],
      ['Stale', 'stale'],
      ['IgnoredTerminal', 'ignored_terminal'],
      ['InvalidTransition', 'invalid_transition'],
    ]);
    expect(['ignored_terminal', 'invalid_transition'].map(recordedTagOf)).toEqual([
      'IgnoredTerminal',
      'InvalidTransition',
    ]);
  });

  it('knows no recorded outcome for what a result never records, nor for a word it does not know', () => {
    expect(['duplicate', 'unknown_order', 'Applied', 'ignored terminal', ''].map(recordedTagOf)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(labelOfRecorded('rejected-by-a-future-release')).toBe('rejected-by-a-future-release');
  });
});
