import { eventKeyOf, type PaymentOrderId, type PspResultUpdateEvent, type PspStatus } from '../../src/codecs/index.js';
import type { OrderStatus, Outcome, ResultSource } from '../../src/state/index.js';
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
  // status and event time (seconds) of each result, its offset, the outcome as stored, and the status after it.
  const stored = (
    pspStatus: PspStatus,
    seconds: number,
    offset: number,
    recorded: string,
    to: OrderStatus,
    redelivered: Outcome,
  ) => ({
    event: {
      paymentOrderId: id,
      pspStatus,
      eventTime: at(seconds),
      ...(pspStatus === 'SUCCESSFUL' ? { pspReference: 'psp-ref-1' } : {}),
    },
    source: { topic, partition: 2, offset: String(offset) },
    recorded,
    to,
    redelivered,
  });
  const results = [
    stored('CAPTURE_PENDING', 1, 11, 'applied', 'CAPTURE_PENDING', {
      _tag: 'Applied',
      to: 'CAPTURE_PENDING',
      redelivered: true,
    }),
    stored('AUTH_REQUIRED', 2, 12, 'invalid-transition', 'CAPTURE_PENDING', {
      _tag: 'InvalidTransition',
      status: 'CAPTURE_PENDING',
      redelivered: true,
    }),
    stored('PENDING', 0, 13, 'stale', 'CAPTURE_PENDING', { _tag: 'Stale', redelivered: true }),
    stored('SUCCESSFUL', 3, 14, 'applied', 'SUCCESSFUL', { _tag: 'Applied', to: 'SUCCESSFUL', redelivered: true }),
    stored('DECLINED', 4, 15, 'ignored-terminal', 'SUCCESSFUL', {
      _tag: 'IgnoredTerminal',
      status: 'SUCCESSFUL',
      redelivered: true,
    }),
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
