/**
 * The values of the `outcome` label of psp_results_processed_total, written out literally: a public contract
 * (dashboards and alert rules under ops/ select on them, README lists them), which the outcome vocabulary
 * (src/state/outcome.ts) and the worker's metrics must keep. First each outcome's label, in the vocabulary's
 * order, then the two the worker adds: a redelivered record, and a dead-lettered one.
 */
export const outcomeLabelContract = [
  'applied',
  'duplicate',
  'stale',
  'ignored_terminal',
  'invalid_transition',
  'unknown_order',
] as const;

export const processedOutcomeContract = [...outcomeLabelContract, 'redelivered', 'dead_lettered'] as const;
