import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { Collection, Filter } from 'mongodb';
import { commandKeyOf } from '../codecs/index.js';
import type { OutboxStore } from '../outbox/outbox-store.js';
import { recordCommand } from './command-outbox.js';
import { nextCommandFor } from './next-command.js';
import { isTerminal, nonTerminalStatuses } from './order-status.js';
import type { DispatchEntry, PaymentOrderDocument } from './payment-order.js';
import { storeErrorOf, type StoreError } from './store-error.js';

/** The claim rule: a due command, an open order, and no live lease held by another dispatcher. */
export const isClaimable = (doc: Pick<PaymentOrderDocument, 'status' | 'nextRetryAt' | 'lease'>, now: Date): boolean =>
  !isTerminal(doc.status) &&
  doc.nextRetryAt != null &&
  doc.nextRetryAt.getTime() <= now.getTime() &&
  (doc.lease == null || doc.lease.until.getTime() <= now.getTime());

/** `isClaimable` as a MongoDB filter. */
export const claimableFilter = (now: Date): Filter<PaymentOrderDocument> => ({
  status: { $in: [...nonTerminalStatuses] },
  nextRetryAt: { $lte: now },
  $or: [{ lease: null }, { 'lease.until': { $lte: now } }],
});

export interface Dispatched {
  readonly paymentOrderId: string;
  readonly commandKey: string;
  /** How late the command went out: dispatch time minus due time. */
  readonly delayMs: number;
}

export interface RetryDispatcherDeps {
  readonly orders: Collection<PaymentOrderDocument>;
  readonly outbox: OutboxStore;
  readonly commandTopic: string;
  /** Who claims: unique per dispatcher, so a dispatcher only completes its own claims. */
  readonly owner: string;
  readonly leaseMs: number;
  readonly now: () => Date;
}

/**
 * Claims one due order with a lease, records its next command in the outbox, then clears the schedule.
 * Safe to run in every worker at once: the claim is one conditional update, and the outbox records a
 * command key once, so a claim that outlived its lease and was taken again cannot send an attempt twice.
 */
export const dispatchOne = (deps: RetryDispatcherDeps): TE.TaskEither<StoreError, Dispatched | undefined> => {
  const now = deps.now();
  const until = new Date(now.getTime() + deps.leaseMs);
  return pipe(
    TE.tryCatch(
      () =>
        deps.orders.findOneAndUpdate(
          claimableFilter(now),
          { $set: { lease: { owner: deps.owner, until } }, $inc: { version: 1 } },
          { sort: { nextRetryAt: 1 }, returnDocument: 'before' },
        ),
      storeErrorOf,
    ),
    TE.chain((before) => {
      if (before === null) return TE.right(undefined);
      const command = nextCommandFor(before);
      const dueAt = before.nextRetryAt ?? now;
      if (E.isLeft(command)) {
        // Nothing can be sent for it: unschedule rather than claim it forever.
        return pipe(
          TE.tryCatch(
            () =>
              deps.orders.updateOne(
                { _id: before._id, version: before.version + 1 },
                { $set: { nextRetryAt: null, lease: null } },
              ),
            storeErrorOf,
          ),
          TE.map(() => undefined),
        );
      }
      const commandKey = commandKeyOf(command.right);
      const entry = (kind: DispatchEntry['kind']): DispatchEntry => ({
        key: `${kind}:${commandKey}`,
        kind,
        outcome: 'applied',
        to: before.status,
        command: command.right.type,
        commandKey,
        owner: deps.owner,
        dueAt,
        appliedAt: deps.now(),
      });
      return pipe(
        recordCommand(deps.outbox, command.right, deps.commandTopic, now),
        TE.chain(() =>
          TE.tryCatch(
            () =>
              deps.orders.updateOne(
                {
                  _id: before._id,
                  'lease.owner': deps.owner,
                  version: before.version + 1,
                  'history.key': { $ne: `dispatch:${commandKey}` },
                },
                {
                  $set: { nextRetryAt: null, lease: null, updatedAt: deps.now() },
                  $inc: {
                    version: 1,
                    ...(command.right.type === 'PaymentOrderStatusCheckRequested' ? { checks: 1 } : {}),
                  },
                  $push: { history: entry('dispatch') },
                },
              ),
            storeErrorOf,
          ),
        ),
        TE.map(() => ({
          paymentOrderId: before._id,
          commandKey,
          delayMs: Math.max(0, now.getTime() - dueAt.getTime()),
        })),
      );
    }),
  );
};

/** Dispatches due commands until none is due or `max` went out. */
export const dispatchDue = (
  deps: RetryDispatcherDeps,
  max: number,
): TE.TaskEither<StoreError, readonly Dispatched[]> => {
  const loop = (done: readonly Dispatched[]): TE.TaskEither<StoreError, readonly Dispatched[]> =>
    done.length >= max
      ? TE.right(done)
      : pipe(
          dispatchOne(deps),
          TE.chain((d) => (d === undefined ? TE.right(done) : loop([...done, d]))),
        );
  return loop([]);
};
