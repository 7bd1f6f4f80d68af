import type { OrderStatus } from './order-status.js';

/** What applying one PSP result did. Every result ends in exactly one of these. */
export type Outcome =
  | { readonly _tag: 'Applied'; readonly to: OrderStatus; readonly reason?: string }
  | { readonly _tag: 'Duplicate' }
  | { readonly _tag: 'Stale' }
  | { readonly _tag: 'IgnoredTerminal'; readonly status: OrderStatus }
  | { readonly _tag: 'InvalidTransition'; readonly status: OrderStatus }
  | { readonly _tag: 'UnknownOrder' };

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
