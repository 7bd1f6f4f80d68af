import { describe, expect, it } from 'vitest';
import {
  distinctPermutations,
  replay,
  type OracleOrderStatus,
  type OraclePspStatus,
  type OracleResult,
} from '../support/transition-oracle.js';

const at = (second: number): Date => new Date(Date.UTC(2026, 10, 25, 10, 0, second));
const r = (pspStatus: OraclePspStatus, second: number, pspReference?: string): OracleResult => ({
  pspStatus,
  eventTime: at(second),
  ...(pspReference === undefined ? {} : { pspReference }),
});

const cases: readonly [string, readonly OracleResult[], OracleOrderStatus, number][] = [
  ['a final result ends a pending order', [r('PENDING', 1), r('SUCCESSFUL', 2)], 'SUCCESSFUL', 0],
  ['a final result is never stale', [r('CAPTURE_PENDING', 5), r('DECLINED', 1)], 'DECLINED', 0],
  ['terminal absorbs', [r('FAILED', 1), r('SUCCESSFUL', 2), r('TIMEOUT', 3)], 'FAILED', 0],
  ['a retryable result counts an attempt', [r('TIMEOUT', 1), r('PSP_UNAVAILABLE', 2)], 'RETRY_PENDING', 2],
  [
    'the fifth attempt fails the order',
    [r('TIMEOUT', 1), r('TIMEOUT', 2), r('FAILED_TRANSIENT', 3), r('TIMEOUT', 4), r('PSP_UNAVAILABLE', 5)],
    'FAILED',
    5,
  ],
  ['an older non-final result is stale', [r('PENDING', 5), r('TIMEOUT', 1)], 'PENDING', 0],
  ['a check-later result never moves back', [r('CAPTURE_PENDING', 1), r('AUTH_REQUIRED', 2)], 'CAPTURE_PENDING', 0],
  ['UNKNOWN means pending', [r('UNKNOWN', 1)], 'PENDING', 0],
  ['UNKNOWN does not undo authorisation', [r('AUTH_REQUIRED', 1), r('UNKNOWN', 2)], 'AUTH_REQUIRED', 0],
  ['a retry goes back to stage 0', [r('CAPTURE_PENDING', 1), r('TIMEOUT', 2), r('PENDING', 3)], 'PENDING', 1],
  ['a duplicate counts once', [r('TIMEOUT', 1, 'a'), r('TIMEOUT', 1, 'a')], 'RETRY_PENDING', 1],
  ['distinct references are distinct results', [r('TIMEOUT', 1, 'a'), r('TIMEOUT', 1, 'b')], 'RETRY_PENDING', 2],
];

describe('the transition oracle', () => {
  it.each(cases)('%s', (_, results, status, attempts) => {
    const outcome = replay(results);
    expect([outcome.status, outcome.attempts]).toEqual([status, attempts]);
  });

  it('records a verdict per arrival and leaves duplicates out of the history', () => {
    const outcome = replay([r('PENDING', 2), r('PENDING', 2), r('UNKNOWN', 1), r('SUCCESSFUL', 3), r('DECLINED', 4)]);
    expect(outcome.steps.map((s) => s.verdict)).toEqual([
      'applied',
      'duplicate',
      'ignored',
      'applied',
      'ignored-terminal',
    ]);
    expect(outcome.lastEventTime).toEqual(at(3));
  });

  it('permutes without repeating identical arrangements', () => {
    expect(distinctPermutations([r('PENDING', 1), r('TIMEOUT', 2), r('SUCCESSFUL', 3)])).toHaveLength(6);
    expect(distinctPermutations([r('PENDING', 1), r('PENDING', 1), r('SUCCESSFUL', 3)])).toHaveLength(3);
    expect(distinctPermutations([r('A' as OraclePspStatus, 1), r('B' as OraclePspStatus, 1)])).toHaveLength(2);
  });
});
