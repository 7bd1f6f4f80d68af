import { eventKeyOf, type PaymentOrderId, type PspResultUpdateEvent } from '../../src/codecs/index.js';
import type { Outcome, ResultSource } from '../../src/state/index.js';
import { at, fixedNow } from './fixtures.js';

/** One result an order recorded: the record that carried it, and what a redelivery of it must answer. */
export interface StoredResult {
  readonly event: PspResultUpdateEvent;
  readonly source: ResultSource;
  readonly redelivered: Outcome;
}

/**
 * An order exactly as releases before the one outcome vocabulary stored it, written out literally (not built
 * with today's code, whose spellings it checks): every outcome a result records, each spelled the way those
 * releases spelled it in `history` (`ignored-terminal`, `invalid-transition`, kebab-case). Plain data, as
 * MongoDB holds it: insert it with the driver, read it back through the code under test.
 */
export const storedBeforeOneVocabulary = (
  id: PaymentOrderId,
): { readonly doc: Record<string, unknown>; readonly results: readonly StoredResult[] } => {
  const topic = 'psp-result-updates';
  const record = (offset: number): ResultSource => ({ topic, partition: 2, offset: String(offset) });
  const results: readonly (StoredResult & { readonly recorded: string; readonly to: string })[] = [
    {
      event: { paymentOrderId: id, pspStatus: 'CAPTURE_PENDING', eventTime: at(1) },
      source: record(11),
      recorded: 'applied',
      to: 'CAPTURE_PENDING',
      redelivered: { _tag: 'Applied', to: 'CAPTURE_PENDING', redelivered: true },
    },
    {
      event: { paymentOrderId: id, pspStatus: 'AUTH_REQUIRED', eventTime: at(2) },
      source: record(12),
      recorded: 'invalid-transition',
      to: 'CAPTURE_PENDING',
      redelivered: { _tag: 'InvalidTransition', status: 'CAPTURE_PENDING', redelivered: true },
    },
    {
      event: { paymentOrderId: id, pspStatus: 'PENDING', eventTime: at(0) },
      source: record(13),
      recorded: 'stale',
      to: 'CAPTURE_PENDING',
      redelivered: { _tag: 'Stale', redelivered: true },
    },
    {
      event: { paymentOrderId: id, pspStatus: 'SUCCESSFUL', eventTime: at(3), pspReference: 'psp-ref-1' },
      source: record(14),
      recorded: 'applied',
      to: 'SUCCESSFUL',
      redelivered: { _tag: 'Applied', to: 'SUCCESSFUL', redelivered: true },
    },
    {
      event: { paymentOrderId: id, pspStatus: 'DECLINED', eventTime: at(4) },
      source: record(15),
      recorded: 'ignored-terminal',
      to: 'SUCCESSFUL',
      redelivered: { _tag: 'IgnoredTerminal', status: 'SUCCESSFUL', redelivered: true },
    },
  ];
  const doc = {
    _id: id,
    status: 'SUCCESSFUL',
    attempts: 0,
    version: results.length,
    pspReference: 'psp-ref-1',
    lastEventTime: at(3),
    nextRetryAt: null,
    lease: null,
    createdAt: at(-60),
    updatedAt: fixedNow,
    history: [
      { key: `created:${id}`, kind: 'created', outcome: 'applied', to: 'INITIATED', appliedAt: at(-60) },
      ...results.map((r) => ({
        key: eventKeyOf(r.event),
        kind: 'psp-result',
        outcome: r.recorded,
        to: r.to,
        pspStatus: r.event.pspStatus,
        ...(r.event.pspReference === undefined ? {} : { pspReference: r.event.pspReference }),
        eventTime: r.event.eventTime,
        appliedAt: new Date(r.event.eventTime.getTime() + 500),
        topic: r.source.topic,
        partition: r.source.partition,
        offset: r.source.offset,
      })),
    ],
  };
  return { doc, results: results.map(({ event, source, redelivered }) => ({ event, source, redelivered })) };
};
