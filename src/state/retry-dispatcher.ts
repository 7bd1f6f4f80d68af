import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { AnyBulkWriteOperation, Collection, Filter, UpdateFilter } from 'mongodb';
import { commandKeyOf, type PaymentOrderCommand } from '../codecs/index.js';
import type { OutboxStore } from '../outbox/outbox-store.js';
import { recordCommand, recordCommands } from './command-outbox.js';
import { nextCommandFor } from './next-command.js';
import { isTerminal, nonTerminalStatuses } from './order-status.js';
import type { DispatchEntry, PaymentOrderDocument } from './payment-order.js';
import { storeErrorOf, type StoreError } from './store-error.js';

/**
 * The claim rule: a due command (`nextRetryAt`, the dispatch due time of a retry, a status check or an
 * intake's first charge: `DispatchDueAt`), an open order, and no live lease held by another dispatcher.
 */
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
 * What completes a dispatch: the schedule cleared, the lease released, the dispatch in the audit trail.
 * It matches only while the claim is still `leaseOwner`'s and the order is at `version` (nothing was
 * applied since the claim), and only once per command key.
 */
const completionOf = (
  deps: RetryDispatcherDeps,
  claimed: PaymentOrderDocument,
  version: number,
  leaseOwner: string,
  command: PaymentOrderCommand,
  now: Date,
): {
  readonly filter: Filter<PaymentOrderDocument>;
  readonly update: UpdateFilter<PaymentOrderDocument>;
  readonly dispatched: Dispatched;
} => {
  const commandKey = commandKeyOf(command);
  const dueAt = claimed.nextRetryAt ?? now;
  const appliedAt = deps.now();
  const entry: DispatchEntry = {
    key: `dispatch:${commandKey}`,
    kind: 'dispatch',
    outcome: 'applied',
    to: claimed.status,
    command: command.type,
    commandKey,
    owner: deps.owner,
    dueAt,
    appliedAt,
  };
  return {
    filter: { _id: claimed._id, 'lease.owner': leaseOwner, version, 'history.key': { $ne: entry.key } },
    update: {
      $set: { nextRetryAt: null, lease: null, updatedAt: appliedAt },
      $inc: { version: 1, ...(command.type === 'PaymentOrderStatusCheckRequested' ? { checks: 1 } : {}) },
      $push: { history: entry },
    },
    dispatched: {
      paymentOrderId: claimed._id,
      commandKey,
      delayMs: Math.max(0, now.getTime() - dueAt.getTime()),
    },
  };
};

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
      const done = completionOf(deps, before, before.version + 1, deps.owner, command.right, now);
      return pipe(
        recordCommand(deps.outbox, command.right, deps.commandTopic, now),
        TE.chain(() => TE.tryCatch(() => deps.orders.updateOne(done.filter, done.update), storeErrorOf)),
        TE.map(() => done.dispatched),
      );
    }),
  );
};

export interface DispatchedBatch {
  /** Due orders the batch found (claimed by it or, in a race, by another dispatcher). */
  readonly candidates: number;
  readonly dispatched: readonly Dispatched[];
}

/**
 * Dispatches up to `limit` due orders in five round trips, whatever their number: finds the oldest due
 * candidates (the `nextRetryAt` index serves the range), claims them in one `updateMany` that re-checks the
 * claim rule per order and stamps a lease with a token unique to this batch, reads back the orders that
 * carry the token (only those are ours), records their commands in the outbox in one `insertMany`, and
 * completes them in one unordered bulk of conditional updates.
 *
 * The same guarantees as `dispatchOne`: each order's claim is atomic and re-checks the rule, so two
 * dispatchers never hold one order at once; a claim whose lease ran out is taken back by the rule; the
 * outbox records a command key once, so a command recorded by a claim that outlived its lease is not sent
 * again when the order is taken back; the command is the one `nextCommandFor` gives (never past the max).
 */
export const dispatchBatch = (deps: RetryDispatcherDeps, limit: number): TE.TaskEither<StoreError, DispatchedBatch> => {
  const now = deps.now();
  const until = new Date(now.getTime() + deps.leaseMs);
  const token = `${deps.owner}:${randomUUID()}`;
  const claim = TE.tryCatch(async () => {
    const candidates = await deps.orders
      .find(claimableFilter(now), { projection: { _id: 1 } })
      .sort({ nextRetryAt: 1 })
      .limit(limit)
      .toArray();
    if (candidates.length === 0) return { candidates: 0, claimed: [] };
    const ids = candidates.map((c) => c._id);
    await deps.orders.updateMany(
      { _id: { $in: ids }, ...claimableFilter(now) },
      { $set: { lease: { owner: token, until } }, $inc: { version: 1 } },
    );
    // An order a result reached since the claim lost the lease (every applied result releases it): not ours.
    const claimed = await deps.orders.find({ _id: { $in: ids }, 'lease.owner': token }).toArray();
    return { candidates: candidates.length, claimed };
  }, storeErrorOf);

  return pipe(
    claim,
    TE.chain(({ candidates, claimed }) => {
      const sendable: { readonly doc: PaymentOrderDocument; readonly command: PaymentOrderCommand }[] = [];
      const unschedule: PaymentOrderDocument[] = [];
      for (const doc of claimed) {
        const command = nextCommandFor(doc);
        if (E.isRight(command)) sendable.push({ doc, command: command.right });
        else unschedule.push(doc);
      }
      const completions = sendable.map(({ doc, command }) => completionOf(deps, doc, doc.version, token, command, now));
      const writes: AnyBulkWriteOperation<PaymentOrderDocument>[] = [
        ...completions.map((c) => ({ updateOne: { filter: c.filter, update: c.update } })),
        // Nothing can be sent for it: unschedule rather than claim it forever.
        ...unschedule.map((doc) => ({
          updateOne: {
            filter: { _id: doc._id, 'lease.owner': token, version: doc.version },
            update: { $set: { nextRetryAt: null, lease: null }, $inc: { version: 1 } },
          },
        })),
      ];
      return pipe(
        recordCommands(
          deps.outbox,
          sendable.map((s) => s.command),
          deps.commandTopic,
          now,
        ),
        TE.chain(() =>
          writes.length === 0
            ? TE.right(undefined)
            : TE.tryCatch(() => deps.orders.bulkWrite(writes, { ordered: false }), storeErrorOf),
        ),
        TE.map(() => ({ candidates, dispatched: completions.map((c) => c.dispatched) })),
      );
    }),
  );
};

/** Orders a dispatcher claims per batch unless told otherwise: five round trips for up to this many. */
export const dispatchBatchSize = 200;

/** Dispatches due commands, a batch at a time, until none is due or `max` went out. */
export const dispatchDue = (
  deps: RetryDispatcherDeps,
  max: number,
  batchSize: number = dispatchBatchSize,
): TE.TaskEither<StoreError, readonly Dispatched[]> => {
  const loop = (done: readonly Dispatched[]): TE.TaskEither<StoreError, readonly Dispatched[]> => {
    const limit = Math.min(batchSize, max - done.length);
    return limit <= 0
      ? TE.right(done)
      : pipe(
          dispatchBatch(deps, limit),
          TE.chain((batch) => {
            const all = [...done, ...batch.dispatched];
            // Fewer candidates than asked for: nothing more is due now.
            return batch.candidates < limit ? TE.right(all) : loop(all);
          }),
        );
  };
  return loop([]);
};
