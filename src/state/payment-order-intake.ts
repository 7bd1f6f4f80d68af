import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import {
  MongoBulkWriteError,
  MongoServerError,
  type AnyBulkWriteOperation,
  type Collection,
  type WriteError,
} from 'mongodb';
import { commandKeyOf, firstAttempt, type PaymentOrderCommand, type PaymentOrderRequest } from '../codecs/index.js';
import type { OutboxStore } from '../outbox/outbox-store.js';
import { recordCommands } from './command-outbox.js';
import type { DispatchEntry, PaymentOrderDocument } from './payment-order.js';
import { storeErrorOf, type StoreError } from './store-error.js';

export type Intake = { readonly _tag: 'Created' } | { readonly _tag: 'AlreadyExists' };

/** The same id again with other content: never an overwrite. */
export interface IntakeConflict {
  readonly _tag: 'Conflict';
  readonly paymentOrderId: string;
  readonly fields: readonly string[];
}

export type IntakeError = IntakeConflict | StoreError;

export interface IntakeDeps {
  readonly orders: Collection<PaymentOrderDocument>;
  readonly outbox: OutboxStore;
  readonly commandTopic: string;
  readonly now: () => Date;
  /** If the command cannot be recorded right after the insert (a crash), the dispatcher sends it after this. */
  readonly commandGraceMs: number;
}

const differences = (doc: PaymentOrderDocument, request: PaymentOrderRequest): readonly string[] =>
  (['amount', 'currency', 'psp', 'merchantId'] as const).filter((f) => doc[f] !== request[f]);

const duplicateKey = 11000;

/** An order as intake creates it, its first command, and the audit entry that says the command was recorded. */
const planOf = (request: PaymentOrderRequest, now: Date, commandGraceMs: number) => {
  const doc: PaymentOrderDocument = {
    _id: request.paymentOrderId,
    amount: request.amount,
    currency: request.currency,
    psp: request.psp,
    ...(request.merchantId === undefined ? {} : { merchantId: request.merchantId }),
    status: 'INITIATED',
    attempts: 0,
    version: 0,
    checks: 0,
    // Due for the dispatcher after the grace (DispatchDueAt): the first charge, should intake not record it.
    nextRetryAt: new Date(now.getTime() + commandGraceMs),
    lease: null,
    createdAt: now,
    updatedAt: now,
    history: [
      {
        key: `created:${request.paymentOrderId}`,
        kind: 'created',
        outcome: 'applied',
        to: 'INITIATED',
        appliedAt: now,
      },
    ],
  };
  const command: PaymentOrderCommand = {
    type: 'PaymentOrderCreated',
    paymentOrderId: request.paymentOrderId,
    amount: request.amount,
    currency: request.currency,
    psp: request.psp,
    attempt: firstAttempt,
  };
  const commandKey = commandKeyOf(command);
  const dispatched: DispatchEntry = {
    key: `dispatch:${commandKey}`,
    kind: 'dispatch',
    outcome: 'applied',
    to: 'INITIATED',
    command: command.type,
    commandKey,
    owner: 'intake',
    dueAt: now,
    appliedAt: now,
  };
  return { doc, command, dispatched };
};

/** Positions of the documents an insert refused as duplicates; throws anything else. */
const duplicatesOf = (error: unknown, count: number): ReadonlySet<number> => {
  if (error instanceof MongoBulkWriteError) {
    const writeErrors: readonly WriteError[] =
      error.writeErrors instanceof Array ? error.writeErrors : [error.writeErrors];
    if (writeErrors.length > 0 && writeErrors.every((e) => e.code === duplicateKey)) {
      return new Set(writeErrors.map((e) => e.index));
    }
  } else if (count === 1 && error instanceof MongoServerError && error.code === duplicateKey) {
    return new Set([0]);
  }
  throw error;
};

/**
 * PaymentService's intake for many orders at once, with the single order's semantics for each: inserts
 * them in INITIATED with a `created` audit entry (one unordered `insertMany`), records the first command
 * (PaymentOrderCreated) of every order that is new or the same again in the command outbox (one
 * `insertMany`; a command already recorded stays as it is), then marks those commands recorded (one
 * unordered bulk). An id that exists already is `AlreadyExists` when its content is the same (and its
 * command is repaired if a crash kept it from being recorded), a `Conflict` naming the fields that differ
 * otherwise, never an overwrite. Three round trips for the whole batch, a fourth when some ids existed.
 * A store error fails the batch; running it again is safe.
 */
export const createPaymentOrders =
  (deps: IntakeDeps) =>
  (
    requests: readonly PaymentOrderRequest[],
  ): TE.TaskEither<StoreError, readonly E.Either<IntakeConflict, Intake>[]> => {
    if (requests.length === 0) return TE.right([]);
    const now = deps.now();
    const plans = requests.map((r) => planOf(r, now, deps.commandGraceMs));

    const insert = TE.tryCatch(async (): Promise<readonly E.Either<IntakeConflict, Intake>[]> => {
      let duplicates: ReadonlySet<number> = new Set();
      try {
        await deps.orders.insertMany(
          plans.map((p) => p.doc),
          { ordered: false },
        );
      } catch (error) {
        duplicates = duplicatesOf(error, plans.length);
      }
      const created: E.Either<IntakeConflict, Intake> = E.right({ _tag: 'Created' });
      if (duplicates.size === 0) return requests.map(() => created);
      const ids = requests.filter((_, i) => duplicates.has(i)).map((r) => r.paymentOrderId);
      const existing = new Map(
        (await deps.orders.find({ _id: { $in: ids } }).toArray()).map((d): [string, PaymentOrderDocument] => [
          d._id,
          d,
        ]),
      );
      return requests.map((request, i) => {
        if (!duplicates.has(i)) return created;
        const found = existing.get(request.paymentOrderId);
        const fields = found === undefined ? [] : differences(found, request);
        return fields.length === 0
          ? E.right({ _tag: 'AlreadyExists' })
          : E.left({ _tag: 'Conflict', paymentOrderId: request.paymentOrderId, fields });
      });
    }, storeErrorOf);

    return pipe(
      insert,
      TE.chain((results) => {
        const accepted = plans.filter((_, i) => results[i]?._tag === 'Right');
        const marks: AnyBulkWriteOperation<PaymentOrderDocument>[] = accepted.map(({ doc, dispatched }) => ({
          updateOne: {
            filter: { _id: doc._id, status: 'INITIATED', 'history.key': { $ne: dispatched.key } },
            update: { $set: { nextRetryAt: null }, $inc: { version: 1 }, $push: { history: dispatched } },
          },
        }));
        return accepted.length === 0
          ? TE.right(results)
          : pipe(
              recordCommands(
                deps.outbox,
                accepted.map((p) => p.command),
                deps.commandTopic,
                now,
              ),
              TE.chain(() => TE.tryCatch(() => deps.orders.bulkWrite(marks, { ordered: false }), storeErrorOf)),
              TE.map(() => results),
            );
      }),
    );
  };

/**
 * PaymentService's intake: inserts the order in INITIATED with a `created` audit entry, then records its
 * first command (PaymentOrderCreated) in the command outbox. Idempotent: the same request again is a
 * no-op that says so (and repairs a command that a crash kept from being recorded).
 */
export const createPaymentOrder =
  (deps: IntakeDeps) =>
  (request: PaymentOrderRequest): TE.TaskEither<IntakeError, Intake> =>
    pipe(
      createPaymentOrders(deps)([request]),
      TE.chainEitherKW(([result]) => result ?? E.right<IntakeConflict, Intake>({ _tag: 'Created' })),
    );
