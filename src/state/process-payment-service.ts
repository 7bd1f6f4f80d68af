import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { PspResultUpdateEvent } from '../codecs/index.js';
import { resolvePspResult } from './apply-psp-result.js';
import { exactWrite, optimisticWrite, terminalWrite, type ConditionalWrite } from './conditional-update.js';
import { noResultMemory, type ResultMemory } from './result-memory.js';
import { eventKeyOf } from '../codecs/index.js';
import type { Outcome } from './outcome.js';
import type { HistoryEntry, PaymentOrderDocument, ResultSource } from './payment-order.js';
import type { PaymentOrderStore } from './payment-order-store.js';
import type { StoreError } from './store-error.js';
import type { RetryPolicy } from './transition-table.js';

export interface PspResult {
  readonly event: PspResultUpdateEvent;
  readonly source: ResultSource;
}

export interface ProcessPaymentService {
  /** Applies one PSP result: one conditional update on the happy path. */
  readonly processPspResult: (event: PspResultUpdateEvent, source: ResultSource) => TE.TaskEither<StoreError, Outcome>;
  /**
   * Applies results in order per payment order; outcomes come back in input order. A failed call may have
   * applied part of the batch: calling again with the same batch is safe, every write is idempotent.
   */
  readonly processPspResults: (results: readonly PspResult[]) => TE.TaskEither<StoreError, readonly Outcome[]>;
}

/** Splits a batch into rounds in which each order appears once, keeping each order's results in order. */
export const roundsOf = <T>(items: readonly T[], orderOf: (t: T) => string): readonly (readonly number[])[] => {
  const seen = new Map<string, number>();
  const rounds: number[][] = [];
  items.forEach((item, index) => {
    const id = orderOf(item);
    const round = seen.get(id) ?? 0;
    seen.set(id, round + 1);
    (rounds[round] ??= []).push(index);
  });
  return rounds;
};

// A concurrent writer (a rebalance overlap) moved the version between our read and write: read again.
const maxExactAttempts = 5;

/** How one result of a round is settled before the round's write. */
type Plan =
  | { readonly _tag: 'Known'; readonly outcome: Outcome }
  | { readonly _tag: 'Write'; readonly outcome: Outcome; readonly alternatives: readonly ConditionalWrite[] }
  | { readonly _tag: 'Read' };

const isDecided = (p: Plan): p is Exclude<Plan, { readonly _tag: 'Read' }> => p._tag !== 'Read';

/** The outcome a history entry recorded, when it was recorded for this very record (a redelivery). */
const recordedOutcome = (
  entry: HistoryEntry,
  source: ResultSource,
  writtenAt: readonly Date[] = [],
): Outcome | undefined => {
  if (entry.topic !== source.topic || entry.partition !== source.partition || entry.offset !== source.offset) {
    return undefined;
  }
  // Written by this very call (a round's first write, read back after another result of the round missed):
  // applied now, not a redelivery.
  if (writtenAt.some((t) => t.getTime() === entry.appliedAt.getTime())) {
    const now = recordedOutcome(entry, source);
    if (now === undefined || !('redelivered' in now)) return now;
    const { redelivered: _, ...outcome } = now;
    return outcome;
  }
  switch (entry.outcome) {
    case 'applied':
      return {
        _tag: 'Applied',
        to: entry.to,
        ...(entry.reason === undefined ? {} : { reason: entry.reason }),
        redelivered: true,
      };
    case 'stale':
      return { _tag: 'Stale', redelivered: true };
    case 'ignored-terminal':
      return { _tag: 'IgnoredTerminal', status: entry.to, redelivered: true };
    case 'invalid-transition':
      return { _tag: 'InvalidTransition', status: entry.to, redelivered: true };
  }
};

export const processPaymentService = (deps: {
  readonly store: PaymentOrderStore;
  readonly policy: RetryPolicy;
  readonly now: () => Date;
  /** What the service may know without a read; none by default. */
  readonly memory?: ResultMemory;
}): ProcessPaymentService => {
  const { store, policy } = deps;
  const memory = deps.memory ?? noResultMemory;

  /** A result whose key this very record already put in history: its outcome is what was recorded then. */
  const recordedBy = (
    doc: PaymentOrderDocument | null,
    key: string,
    source: ResultSource,
    writtenAt: readonly Date[],
  ): Outcome | undefined => {
    const entry = doc?.history.find((h) => h.key === key);
    return entry?.kind === 'psp-result' ? recordedOutcome(entry, source, writtenAt) : undefined;
  };

  /**
   * The slow path, for results the optimistic write did not apply: decide on the documents as read, and
   * write every decision of the round in one round trip, each guarded by the version it was decided on.
   * A concurrent writer (a rebalance overlap) that moved a version makes the round read and decide again.
   */
  const settleRound = (
    round: readonly PspResult[],
    keys: readonly string[],
    docs: ReadonlyMap<string, PaymentOrderDocument>,
    writtenAt: readonly Date[],
    attempt = 1,
  ): TE.TaskEither<StoreError, readonly Outcome[]> => {
    const now = deps.now();
    const plans = round.map((r, i) => {
      const doc = docs.get(r.event.paymentOrderId) ?? null;
      const recorded = recordedBy(doc, keys[i] ?? '', r.source, writtenAt);
      if (recorded !== undefined) return { outcome: recorded, write: undefined };
      const resolution = resolvePspResult(doc, r.event, r.source, policy, now);
      return {
        outcome: resolution.outcome,
        write: resolution._tag === 'Write' && doc !== null ? exactWrite(doc, resolution.effect, now) : undefined,
      };
    });
    const outcomes = plans.map((p) => p.outcome);
    const writes = plans.flatMap((p) => (p.write === undefined ? [] : [p.write]));
    for (const doc of docs.values()) memory.observe(doc._id, doc.status);
    if (writes.length === 0) return TE.right(outcomes);
    return pipe(
      store.write(writes),
      TE.chain((matched) => {
        if (matched === writes.length) {
          for (const w of writes) memory.remember(w.filter._id as string, w.effect.entry);
          return TE.right(outcomes);
        }
        if (attempt >= maxExactAttempts) {
          return TE.left<StoreError>({
            _tag: 'StoreError',
            code: 'store-contention',
            retryable: true,
            message: `${writes.length - matched} orders kept changing under the write`,
            cause: undefined,
          });
        }
        return pipe(
          store.find(round.map((r) => r.event.paymentOrderId)),
          TE.chain((again) => settleRound(round, keys, again, [...writtenAt, now], attempt + 1)),
        );
      }),
    );
  };

  /**
   * What a result needs before the round's one write: nothing (its key is remembered in the order's
   * history), a write that at most one alternative of matches, or a read (the slow path decides).
   */
  const planOf = (r: PspResult, key: string, now: Date, maxAlternatives: number): Plan => {
    const entry = memory.recorded(key);
    if (entry !== undefined)
      return { _tag: 'Known', outcome: recordedOutcome(entry, r.source) ?? { _tag: 'Duplicate' } };
    const terminal = memory.terminal(r.event.paymentOrderId);
    if (terminal !== undefined) {
      return {
        _tag: 'Write',
        outcome: { _tag: 'IgnoredTerminal', status: terminal },
        alternatives: [terminalWrite(r.event, key, r.source, terminal, now)],
      };
    }
    const write = optimisticWrite(r.event, key, r.source, policy, now, maxAlternatives);
    return write === undefined
      ? { _tag: 'Read' }
      : { _tag: 'Write', outcome: { _tag: 'Applied', to: write.to }, alternatives: write.alternatives };
  };

  const processRound = (round: readonly PspResult[]): TE.TaskEither<StoreError, readonly Outcome[]> => {
    const now = deps.now();
    const keys = round.map((r) => eventKeyOf(r.event));
    // Each alternative costs the server a statement; they pay only where they spare the read: a round of one.
    const maxAlternatives = round.length === 1 ? Number.POSITIVE_INFINITY : 1;
    const plans = round.map((r, i) => planOf(r, keys[i] ?? '', now, maxAlternatives));
    const statements = plans.flatMap((p) => (p._tag === 'Write' ? p.alternatives : []));
    const writing = plans.filter((p) => p._tag === 'Write').length;
    return pipe(
      statements.length === 0 ? TE.right(0) : store.write(statements),
      TE.chain((matched): TE.TaskEither<StoreError, readonly Outcome[]> => {
        // At most one alternative per result matches: all matched means every write went through.
        if (matched === writing && plans.every(isDecided)) {
          plans.forEach((p, i) => {
            const alternative = p._tag === 'Write' ? p.alternatives[0] : undefined;
            if (alternative !== undefined)
              memory.remember(round[i]?.event.paymentOrderId ?? '', alternative.effect.entry);
          });
          return TE.right(plans.map((p) => p.outcome));
        }
        return pipe(
          store.find(round.map((r) => r.event.paymentOrderId)),
          TE.chain((docs) => settleRound(round, keys, docs, [now])),
        );
      }),
    );
  };

  const processPspResults = (results: readonly PspResult[]): TE.TaskEither<StoreError, readonly Outcome[]> => {
    const rounds = roundsOf(results, (r) => r.event.paymentOrderId);
    const outcomes: Outcome[] = new Array<Outcome>(results.length);
    return pipe(
      rounds,
      TE.traverseSeqArray((indexes) =>
        pipe(
          processRound(indexes.map((i) => results[i] as PspResult)),
          TE.map((roundOutcomes) => {
            indexes.forEach((index, j) => {
              outcomes[index] = roundOutcomes[j] as Outcome;
            });
          }),
        ),
      ),
      TE.map(() => outcomes),
    );
  };

  return {
    processPspResults,
    processPspResult: (event, source) =>
      pipe(
        processPspResults([{ event, source }]),
        TE.map((outcomes) => outcomes[0] as Outcome),
      ),
  };
};
