import { MongoServerError, type Db } from 'mongodb';
import type { PaymentOrderId, PspStatus } from '../../codecs/index.js';
import type { PspAnswer } from '../psp-client.js';
import type { IdempotencyMemory, StoredAnswer } from './idempotency-memory.js';

export interface MongoIdempotencyOptions {
  /** Collections are `<prefix>_answers` and `<prefix>_charges`; `psp_sim` unless given. */
  readonly collectionPrefix?: string;
  /** Called once per counted charge, after it is stored, with the PSP that charged (`unknown` if not known). */
  readonly onCharge?: (psp: string) => void;
}

/** One answer a simulated PSP gave: `_id` is the key exactly as the simulator passes it (`<psp>:<kind>:<id>`). */
export interface AnswerDocument {
  readonly _id: string;
  readonly psp: string;
  readonly paymentOrderId: string;
  readonly request: string;
  readonly answer: {
    readonly pspStatus: PspStatus;
    readonly pspReference?: string;
    readonly errorCode?: string;
    readonly errorMessage?: string;
  };
  readonly writer: string;
  readonly storedAt: Date;
}

/** The charges made for one payment order: the total, and per PSP. */
export interface ChargeDocument {
  readonly _id: string;
  readonly count: number;
  readonly psps: Readonly<Record<string, number>>;
}

export const simulatorCollections = (prefix = 'psp_sim'): { readonly answers: string; readonly charges: string } => ({
  answers: `${prefix}_answers`,
  charges: `${prefix}_charges`,
});

const duplicateKey = 11000;

const isDuplicateKey = (error: unknown): boolean => error instanceof MongoServerError && error.code === duplicateKey;

/**
 * Concurrent upserts of one `_id` can both miss the document and one then fails with a duplicate key;
 * by then the document exists, so the same call again matches it.
 */
const retryingDuplicateKey = async <T>(write: () => Promise<T>): Promise<T> => {
  try {
    return await write();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return write();
  }
};

/** The simulators scope every key by PSP: `stripe:charge:o-1:1`. Also a safe field name. */
const pspOf = (key: string): string => {
  const psp = key.slice(0, Math.max(0, key.indexOf(':')));
  return /^[A-Za-z0-9_-]+$/.test(psp) ? psp : 'unknown';
};

/** Only the fields PspAnswer has, and none set to undefined (BSON would store those as null). */
const answerFields = (answer: PspAnswer): AnswerDocument['answer'] => ({
  pspStatus: answer.pspStatus,
  ...(answer.pspReference == null ? {} : { pspReference: answer.pspReference }),
  ...(answer.errorCode == null ? {} : { errorCode: answer.errorCode }),
  ...(answer.errorMessage == null ? {} : { errorMessage: answer.errorMessage }),
});

const storedAnswerOf = (doc: AnswerDocument): StoredAnswer => ({
  // Written by put from a PaymentOrderId, so it is one.
  paymentOrderId: doc.paymentOrderId as PaymentOrderId,
  request: doc.request,
  answer: answerFields(doc.answer),
  writer: doc.writer,
});

/** How many orders' winning PSP this instance remembers for countCharge; more are only left unnamed. */
const rememberedWinners = 10_000;

/**
 * An IdempotencyMemory in MongoDB: what a simulated PSP remembers (its answers by key and the charges
 * it made) survives the executor process, and executors sharing the database share one PSP.
 *
 * `put` is one `findOneAndUpdate` upsert with `$setOnInsert`: the first writer's document is stored,
 * every writer gets the stored document back, so `writer` says who won. `countCharge` is one `$inc`
 * upsert on the order's charge document. The interface stores an answer and counts its charge in two
 * calls: a crash between the two leaves the answer stored and the charge uncounted.
 *
 * countCharge is told the order only; the PSP it names (in the document and to `onCharge`) is that of
 * the last put this instance won for the order, which for the simulators is the put just before it.
 */
export const mongoIdempotency = (db: Db, opts: MongoIdempotencyOptions = {}): IdempotencyMemory => {
  const names = simulatorCollections(opts.collectionPrefix);
  const answers = db.collection<AnswerDocument>(names.answers);
  const charges = db.collection<ChargeDocument>(names.charges);
  const winners = new Map<PaymentOrderId, string>();

  const rememberWinner = (paymentOrderId: PaymentOrderId, psp: string): void => {
    winners.delete(paymentOrderId);
    winners.set(paymentOrderId, psp);
    if (winners.size > rememberedWinners) {
      const oldest = winners.keys().next();
      if (oldest.done !== true) winners.delete(oldest.value);
    }
  };

  return {
    get: async (key) => {
      const doc = await answers.findOne({ _id: key });
      return doc === null ? undefined : storedAnswerOf(doc);
    },

    put: async (key, answer) => {
      const psp = pspOf(key);
      const doc = await retryingDuplicateKey(() =>
        answers.findOneAndUpdate(
          { _id: key },
          {
            $setOnInsert: {
              psp,
              paymentOrderId: answer.paymentOrderId,
              request: answer.request,
              answer: answerFields(answer.answer),
              writer: answer.writer,
              storedAt: new Date(),
            },
          },
          { upsert: true, returnDocument: 'after' },
        ),
      );
      if (doc === null) throw new Error(`psp simulator: upsert of answer ${key} returned no document`);
      const stored = storedAnswerOf(doc);
      if (stored.writer === answer.writer) rememberWinner(stored.paymentOrderId, psp);
      return stored;
    },

    countCharge: async (paymentOrderId) => {
      const psp = winners.get(paymentOrderId) ?? 'unknown';
      winners.delete(paymentOrderId);
      await retryingDuplicateKey(() =>
        charges.updateOne({ _id: paymentOrderId }, { $inc: { count: 1, [`psps.${psp}`]: 1 } }, { upsert: true }),
      );
      opts.onCharge?.(psp);
    },

    charges: async (paymentOrderId) => {
      const doc = await charges.findOne({ _id: paymentOrderId }, { projection: { count: 1 } });
      return doc?.count ?? 0;
    },
  };
};
