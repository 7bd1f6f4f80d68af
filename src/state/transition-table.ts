import type { PspStatus } from '../codecs/index.js';
import type { BackoffPolicy } from '../operators/backoff.js';
import {
  isTerminal,
  orderStatuses,
  type CheckLaterStatus,
  type OrderStatus,
  type TerminalStatus,
} from './order-status.js';

/** What a PSP result asks of an order, whatever state the order is in. */
export type Intent =
  | { readonly _tag: 'Finalize'; readonly to: TerminalStatus }
  | { readonly _tag: 'Retry' }
  | { readonly _tag: 'CheckLater'; readonly to: CheckLaterStatus };

// One object per status, shared: intents are read-only values, and this runs once per event.
const intents: { readonly [S in PspStatus]: Intent } = Object.freeze({
  SUCCESSFUL: { _tag: 'Finalize', to: 'SUCCESSFUL' },
  DECLINED: { _tag: 'Finalize', to: 'DECLINED' },
  FAILED: { _tag: 'Finalize', to: 'FAILED' },
  TIMEOUT: { _tag: 'Retry' },
  PSP_UNAVAILABLE: { _tag: 'Retry' },
  FAILED_TRANSIENT: { _tag: 'Retry' },
  PENDING: { _tag: 'CheckLater', to: 'PENDING' },
  AUTH_REQUIRED: { _tag: 'CheckLater', to: 'AUTH_REQUIRED' },
  CAPTURE_PENDING: { _tag: 'CheckLater', to: 'CAPTURE_PENDING' },
  UNKNOWN: { _tag: 'CheckLater', to: 'PENDING' },
} as const);

export const intentOf = (status: PspStatus): Intent => intents[status];

export interface RetryPolicy {
  /** Retryable results an order may take; the last of them fails it with "retries exhausted". */
  readonly maxAttempts: number;
  /** When the next command for an order is due; without it nothing is scheduled. */
  readonly schedule?: Schedule | undefined;
}

export interface Schedule {
  /** Exponential backoff with full jitter before a retry (base 2 s, cap 60 s by default). */
  readonly retryBackoff: BackoffPolicy;
  /** Wait before asking the PSP again about a check-later answer. */
  readonly checkDelayMs: number;
  readonly random: () => number;
}

export const retriesExhausted = 'retries exhausted';

/** How far a payment has come on its way to a final answer; a check-later result never moves it back. */
const stage = (s: OrderStatus): number => {
  switch (s) {
    case 'INITIATED':
    case 'RETRY_PENDING':
      return 0;
    case 'PENDING':
      return 1;
    case 'AUTH_REQUIRED':
      return 2;
    case 'CAPTURE_PENDING':
      return 3;
    case 'SUCCESSFUL':
    case 'DECLINED':
    case 'FAILED':
      return 4;
  }
};

export interface OrderState {
  readonly status: OrderStatus;
  readonly attempts: number;
  readonly lastEventTime?: Date | undefined;
}

export type Decision =
  | { readonly _tag: 'Transition'; readonly to: OrderStatus; readonly attempts: number; readonly reason?: string }
  | { readonly _tag: 'IgnoredTerminal' }
  | { readonly _tag: 'Stale' }
  | { readonly _tag: 'InvalidTransition' };

/**
 * The transition table. Terminal states absorb. A final answer is never stale: the PSP has spoken, and
 * dropping it for a clock difference would lose a charge. Any other result older than the last applied
 * one is stale.
 */
export const decide = (
  order: OrderState,
  event: { readonly pspStatus: PspStatus; readonly eventTime: Date },
  policy: RetryPolicy,
): Decision => {
  if (isTerminal(order.status)) return { _tag: 'IgnoredTerminal' };
  const intent = intentOf(event.pspStatus);
  if (intent._tag === 'Finalize') return { _tag: 'Transition', to: intent.to, attempts: order.attempts };
  if (order.lastEventTime !== undefined && event.eventTime.getTime() < order.lastEventTime.getTime()) {
    return { _tag: 'Stale' };
  }
  switch (intent._tag) {
    case 'Retry': {
      const attempts = order.attempts + 1;
      return attempts >= policy.maxAttempts
        ? { _tag: 'Transition', to: 'FAILED', attempts, reason: retriesExhausted }
        : { _tag: 'Transition', to: 'RETRY_PENDING', attempts };
    }
    case 'CheckLater':
      return stage(order.status) > stage(intent.to)
        ? { _tag: 'InvalidTransition' }
        : { _tag: 'Transition', to: intent.to, attempts: order.attempts };
  }
};

// The guards' status lists, computed once (frozen: every guard shares them).
const open: readonly OrderStatus[] = Object.freeze(orderStatuses.filter((s) => !isTerminal(s)));
const checkLaterFrom: { readonly [S in CheckLaterStatus]: readonly OrderStatus[] } = {
  PENDING: Object.freeze(open.filter((s) => stage(s) <= stage('PENDING'))),
  AUTH_REQUIRED: Object.freeze(open.filter((s) => stage(s) <= stage('AUTH_REQUIRED'))),
  CAPTURE_PENDING: Object.freeze(open.filter((s) => stage(s) <= stage('CAPTURE_PENDING'))),
};

/**
 * The states from which an intent moves the order without reading it first, with the attempt bound under
 * which a retry stays RETRY_PENDING. The single conditional update is built from this.
 */
export const optimisticGuard = (
  intent: Intent,
  policy: RetryPolicy,
): { readonly from: readonly OrderStatus[]; readonly attemptsBelow?: number; readonly notOlder: boolean } => {
  switch (intent._tag) {
    case 'Finalize':
      return { from: open, notOlder: false };
    case 'Retry':
      return { from: open, attemptsBelow: policy.maxAttempts - 1, notOlder: true };
    case 'CheckLater':
      return { from: checkLaterFrom[intent.to], notOlder: true };
  }
};
