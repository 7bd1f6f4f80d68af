import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processedOutcomes } from '../../src/telemetry/worker-metrics.js';
import { processedLabel, type ProcessedSeen } from '../../src/telemetry/worker-observer.js';
import { eventFor } from '../support/lane-records.js';
import { processedOutcomeContract } from '../support/outcome-labels.js';

// The `outcome` label of psp_results_processed_total is a public contract: dashboards and alert rules under
// ops/ select on its values, and README lists them. Its values come from the outcome vocabulary
// (src/state/outcome.ts); test/support/outcome-labels.ts writes them out literally, so a change there cannot
// move them unseen.

const contract: readonly string[] = processedOutcomeContract;

const filesUnder = (dir: string): readonly string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });

describe('the outcome label of psp_results_processed_total', () => {
  it('takes the values it always took, in the same order', () => {
    expect(processedOutcomes).toEqual(contract);
  });

  it('is selected only on values it takes, in every rule and dashboard under ops/ and in README', () => {
    const selected = [...filesUnder('ops'), 'README.md'].flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/outcome\s*(?:=|!=|=~|!~)\s*\\?"([^"\\]*)/g)].flatMap((m) =>
        (m[1] ?? '').split('|').map((value) => ({ file, value })),
      ),
    );
    expect(selected.filter(({ value }) => !contract.includes(value))).toEqual([]);
    const listed = readFileSync('README.md', 'utf8')
      .split('\n')
      .find((line) => line.includes('`psp_results_processed_total{outcome}`'));
    for (const value of contract) expect(listed, 'README lists every value').toContain(value);
  });

  it('names a processed message by its outcome, a redelivery too, and a dead letter dead_lettered', () => {
    const message = { topic: 't', partition: 0, offset: '1', headers: {}, receivedAt: 0 };
    const event = eventFor('po-1');
    const seen: readonly ProcessedSeen[] = [
      { _tag: 'Applied', message, event, outcome: { _tag: 'IgnoredTerminal', status: 'FAILED' } },
      { _tag: 'Applied', message, event, outcome: { _tag: 'Stale', redelivered: true } },
      { _tag: 'DeadLettered', letter: { message, reason: 'invalid-json', description: '' } },
    ];
    expect(seen.map(processedLabel)).toEqual(['ignored_terminal', 'stale', 'dead_lettered']);
  });
});
