import type { OrderStatus } from './order-status.js';

/**
 * Set on the outcome a record's earlier delivery recorded (same key, topic, partition and offset): the
 * effect is already in the store, so this delivery changed nothing and counts as a redelivery.
 */
interface Redelivery {
  readonly redelivered?: true;
}

/** What applying one PSP result did. Every result ends in exactly one of these. */
export type Outcome =
  | ({ readonly _tag: 'Applied'; readonly to: OrderStatus; readonly reason?: string } & Redelivery)
  | { readonly _tag: 'Duplicate' }
  | ({ readonly _tag: 'Stale' } & Redelivery)
  | ({ readonly _tag: 'IgnoredTerminal'; readonly status: OrderStatus } & Redelivery)
  | ({ readonly _tag: 'InvalidTransition'; readonly status: OrderStatus } & Redelivery)
  | { readonly _tag: 'UnknownOrder' };

/** True when this delivery only re-read an outcome an earlier delivery of the same record recorded. */
export const isRedelivery = (o: Outcome): boolean => 'redelivered' in o && o.redelivered === true;

export type OutcomeLabel =
  'applied' | 'duplicate' | 'stale' | 'ignored_terminal' | 'invalid_transition' | 'unknown_order';

/** Bounded metric label of an outcome. */
export const outcomeLabel = (o: Outcome): OutcomeLabel => {
  switch (o._tag) {
    case 'Applied':
      return 'applied';
    case 'Duplicate':
      return 'duplicate';
    case 'Stale':
      return 'stale';
    case 'IgnoredTerminal':
      return 'ignored_terminal';
    case 'InvalidTransition':
      return 'invalid_transition';
    case 'UnknownOrder':
      return 'unknown_order';
  }
};
