import * as t from 'io-ts';

export const OrderStatus = t.keyof({
  INITIATED: null,
  PENDING: null,
  AUTH_REQUIRED: null,
  CAPTURE_PENDING: null,
  RETRY_PENDING: null,
  SUCCESSFUL: null,
  DECLINED: null,
  FAILED: null,
});
export type OrderStatus = t.TypeOf<typeof OrderStatus>;

export const orderStatuses = Object.keys(OrderStatus.keys) as readonly OrderStatus[];

export type TerminalStatus = 'SUCCESSFUL' | 'DECLINED' | 'FAILED';
export type CheckLaterStatus = 'PENDING' | 'AUTH_REQUIRED' | 'CAPTURE_PENDING';

export const isTerminal = (s: OrderStatus): s is TerminalStatus =>
  s === 'SUCCESSFUL' || s === 'DECLINED' || s === 'FAILED';

export const nonTerminalStatuses = orderStatuses.filter((s) => !isTerminal(s));
