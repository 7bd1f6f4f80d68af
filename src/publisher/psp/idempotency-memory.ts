import type { PaymentOrderId } from '../../codecs/index.js';
import type { PspAnswer } from '../psp-client.js';

/** What a simulated PSP remembers under one key: its answer, and for which request it gave it. */
export interface StoredAnswer {
  readonly paymentOrderId: PaymentOrderId;
  /** A fingerprint of the request (order, amount, currency): a key reused for another request is noticed. */
  readonly request: string;
  readonly answer: PspAnswer;
  /** Unique per write: the writer whose answer was stored first is the one that charges. */
  readonly writer: string;
}

/**
 * A simulated PSP's memory: its answers by key and the charges it made per payment order. Async so a
 * shared store (MongoDB) can stand behind it.
 */
export interface IdempotencyMemory {
  readonly get: (key: string) => Promise<StoredAnswer | undefined>;
  /** Stores `answer` unless the key already holds one; resolves to whichever is stored: the first one wins. */
  readonly put: (key: string, answer: StoredAnswer) => Promise<StoredAnswer>;
  readonly countCharge: (paymentOrderId: PaymentOrderId) => Promise<void>;
  readonly charges: (paymentOrderId: PaymentOrderId) => Promise<number>;
}

/** An IdempotencyMemory in this process only: for tests and single-process runs. */
export const inMemoryIdempotency = (): IdempotencyMemory => {
  const answers = new Map<string, StoredAnswer>();
  const chargeCounts = new Map<PaymentOrderId, number>();
  return {
    get: (key) => Promise.resolve(answers.get(key)),
    put: (key, answer) => {
      const first = answers.get(key);
      if (first !== undefined) return Promise.resolve(first);
      answers.set(key, answer);
      return Promise.resolve(answer);
    },
    countCharge: (paymentOrderId) => {
      chargeCounts.set(paymentOrderId, (chargeCounts.get(paymentOrderId) ?? 0) + 1);
      return Promise.resolve();
    },
    charges: (paymentOrderId) => Promise.resolve(chargeCounts.get(paymentOrderId) ?? 0),
  };
};
