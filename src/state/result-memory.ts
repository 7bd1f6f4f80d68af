import { isTerminal, type OrderStatus, type TerminalStatus } from './order-status.js';
import type { HistoryEntry } from './payment-order.js';

/**
 * What a worker learned of orders that can never change again, so it need not ask the store: an event key
 * in an order's history stays there (the history is append-only), and a terminal order stays terminal
 * with the same status (terminal states absorb). Both maps keep the most recent entries up to a bound:
 * forgetting only costs the round trip the memory would have spared.
 */
export interface ResultMemory {
  /** The history entry this event key wrote, if it is remembered. */
  readonly recorded: (key: string) => HistoryEntry | undefined;
  /** The order's terminal status, if it is remembered as terminal. */
  readonly terminal: (orderId: string) => TerminalStatus | undefined;
  /** An entry now durably in the order's history. */
  readonly remember: (orderId: string, entry: HistoryEntry) => void;
  /** An order read from the store in this status. */
  readonly observe: (orderId: string, status: OrderStatus) => void;
}

/**
 * A map that forgets its oldest insertions past `capacity`. The insertion order is a ring of keys: the slot
 * a new key takes holds the oldest one, forgotten then. One hash lookup for a key seen before, two for a
 * new one: this runs for every result the worker applies.
 */
const boundedMap = <V>(capacity: number) => {
  const map = new Map<string, V>();
  const ring = new Array<string | undefined>(capacity).fill(undefined);
  let next = 0;
  return {
    get: (k: string): V | undefined => map.get(k),
    set: (k: string, v: V): void => {
      const size = map.size;
      map.set(k, v);
      if (map.size === size) return;
      const oldest = ring[next];
      if (oldest !== undefined) map.delete(oldest);
      ring[next] = k;
      next = next + 1 === capacity ? 0 : next + 1;
    },
  };
};

export const resultMemory = (capacity: number): ResultMemory => {
  const keys = boundedMap<HistoryEntry>(capacity);
  const terminals = boundedMap<TerminalStatus>(capacity);
  const markTerminal = (orderId: string, status: OrderStatus): void => {
    if (isTerminal(status) && terminals.get(orderId) === undefined) terminals.set(orderId, status);
  };
  return {
    recorded: keys.get,
    terminal: terminals.get,
    remember: (orderId, entry) => {
      keys.set(entry.key, entry);
      markTerminal(orderId, entry.to);
    },
    observe: markTerminal,
  };
};

/** Remembers nothing: every decision reads the store, as without a memory. */
export const noResultMemory: ResultMemory = {
  recorded: () => undefined,
  terminal: () => undefined,
  remember: () => undefined,
  observe: () => undefined,
};
