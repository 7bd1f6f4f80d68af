import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { MongoServerError, type Collection } from 'mongodb';
import { commandKeyOf, type PaymentOrderCommand, type PaymentOrderRequest } from '../codecs/index.js';
import type { OutboxStore } from '../outbox/outbox-store.js';
import { recordCommand } from './command-outbox.js';
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

/**
 * PaymentService's intake: inserts the order in INITIATED with a `created` audit entry, then records its
 * first command (PaymentOrderCreated) in the command outbox. Idempotent: the same request again is a
 * no-op that says so (and repairs a command that a crash kept from being recorded).
 */
export const createPaymentOrder =
  (deps: IntakeDeps) =>
  (request: PaymentOrderRequest): TE.TaskEither<IntakeError, Intake> => {
    const now = deps.now();
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
      nextRetryAt: new Date(now.getTime() + deps.commandGraceMs),
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
      attempt: 1 as never,
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

    const insert = TE.tryCatch(async (): Promise<E.Either<IntakeConflict, Intake>> => {
      try {
        await deps.orders.insertOne(doc);
        return E.right({ _tag: 'Created' });
      } catch (error) {
        if (!(error instanceof MongoServerError && error.code === 11000)) throw error;
        const existing = await deps.orders.findOne({ _id: request.paymentOrderId });
        const fields = existing === null ? [] : differences(existing, request);
        return fields.length === 0
          ? E.right({ _tag: 'AlreadyExists' })
          : E.left({ _tag: 'Conflict', paymentOrderId: request.paymentOrderId, fields });
      }
    }, storeErrorOf);

    return pipe(
      insert,
      TE.chainEitherKW((r) => r),
      TE.chainW((intake) =>
        pipe(
          recordCommand(deps.outbox, command, deps.commandTopic, now),
          TE.chain(() =>
            TE.tryCatch(
              () =>
                deps.orders.updateOne(
                  { _id: request.paymentOrderId, status: 'INITIATED', 'history.key': { $ne: dispatched.key } },
                  { $set: { nextRetryAt: null }, $inc: { version: 1 }, $push: { history: dispatched } },
                ),
              storeErrorOf,
            ),
          ),
          TE.map(() => intake),
        ),
      ),
    );
  };
