import type { PspResultUpdateEvent } from '../codecs/index.js';
import { applyPspResult, type PaymentOrderDocument, type RetryPolicy } from '../state/index.js';

/** p-quantile of a sample (nearest rank). */
export const quantile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN);

/**
 * Replays the results an order recorded, in the order it recorded them, through the transition table:
 * the state the table says the order must be in. Returns why the stored order disagrees, if it does.
 */
export const disagreementWithTable = (doc: PaymentOrderDocument, policy: RetryPolicy): string | undefined => {
  const start: PaymentOrderDocument = {
    _id: doc._id,
    status: 'INITIATED',
    attempts: 0,
    version: 0,
    createdAt: doc.createdAt,
    updatedAt: doc.createdAt,
    history: [],
  };
  let model: PaymentOrderDocument | null = start;
  for (const entry of doc.history) {
    if (entry.kind !== 'psp-result') continue;
    const event: PspResultUpdateEvent = {
      paymentOrderId: doc._id,
      pspStatus: entry.pspStatus,
      eventTime: entry.eventTime,
      ...(entry.pspReference === undefined ? {} : { pspReference: entry.pspReference }),
    };
    const source = { topic: entry.topic, partition: entry.partition, offset: entry.offset };
    const next = applyPspResult(model, event, source, { maxAttempts: policy.maxAttempts }, entry.appliedAt);
    const recorded = entry.outcome;
    const expected =
      next.outcome._tag === 'Applied'
        ? 'applied'
        : next.outcome._tag === 'IgnoredTerminal'
          ? 'ignored-terminal'
          : next.outcome._tag === 'Stale'
            ? 'stale'
            : next.outcome._tag === 'InvalidTransition'
              ? 'invalid-transition'
              : next.outcome._tag;
    if (recorded !== expected) return `${entry.pspStatus} recorded as ${recorded}, table says ${expected}`;
    model = next.doc;
  }
  if (model === null) return 'order vanished';
  if (model.status !== doc.status || model.attempts !== doc.attempts) {
    return `stored ${doc.status}/${doc.attempts} attempts, table says ${model.status}/${model.attempts}`;
  }
  return undefined;
};

export const table = (rows: readonly (readonly [string, string])[]): string => {
  const width = Math.max(...rows.map(([k]) => k.length));
  const valueWidth = Math.max(...rows.map(([, v]) => v.length));
  const line = `+${'-'.repeat(width + 2)}+${'-'.repeat(valueWidth + 2)}+`;
  return [line, ...rows.map(([k, v]) => `| ${k.padEnd(width)} | ${v.padStart(valueWidth)} |`), line].join('\n');
};
