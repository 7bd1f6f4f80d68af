import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { PspResultUpdateEvent } from '../codecs/index.js';
import { resolvePspResult } from './apply-psp-result.js';
import { exactWrite, optimisticWrite, terminalWrite, type ConditionalWrite } from './conditional-update.js';
import { noResultMemory, type ResultMemory } from './result-memory.js';
import { eventKeyOf } from '../codecs/index.js';
import type { Outcome } from './outcome.js';
import type { PaymentOrderDocument, ResultSource } from './payment-order.js';
import { outcomeRecordedBy } from './redelivery.js';
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

/** How one result of a round is resolved (its outcome decided) before the round's write. */
type Plan =
  | { readonly _tag: 'Known'; readonly outcome: Outcome }
  | { readonly _tag: 'Write'; readonly outcome: Outcome; readonly alternatives: readonly ConditionalWrite[] }
  | { readonly _tag: 'Read' };

const isDecided = (p: Plan): p is Exclude<Plan, { readonly _tag: 'Read' }> => p._tag !== 'Read';

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
    return entry?.kind === 'psp-result' ? outcomeRecordedBy(entry, source, writtenAt) : undefined;
  };

  /**
   * The slow path, for results the optimistic write did not apply: decide on the documents as read, and
   * write every decision of the round in one round trip, each guarded by the version it was decided on.
   * A concurrent writer (a rebalance overlap) that moved a version makes the round read and decide again.
   */
  const resolveRound = async (
    round: readonly PspResult[],
    keys: readonly string[],
    read: ReadonlyMap<string, PaymentOrderDocument>,
    firstWrittenAt: readonly Date[],
  ): Promise<E.Either<StoreError, readonly Outcome[]>> => {
    let docs = read;
    let writtenAt = firstWrittenAt;
    for (let attempt = 1; ; attempt++) {
      const now = deps.now();
      const outcomes = new Array<Outcome>(round.length);
      const writes: ConditionalWrite[] = [];
      round.forEach((r, i) => {
        const key = keys[i] ?? '';
        const doc = docs.get(r.event.paymentOrderId) ?? null;
        const recorded = recordedBy(doc, key, r.source, writtenAt);
        if (recorded !== undefined) {
          outcomes[i] = recorded;
          return;
        }
        const resolution = resolvePspResult(doc, r.event, r.source, policy, now, key);
        outcomes[i] = resolution.outcome;
        if (resolution._tag === 'Write' && doc !== null) writes.push(exactWrite(doc, resolution.effect, now));
      });
      for (const doc of docs.values()) memory.observe(doc._id, doc.status);
      if (writes.length === 0) return E.right(outcomes);
      const written = await store.write(writes)();
      if (E.isLeft(written)) return written;
      if (written.right === writes.length) {
        for (const w of writes) memory.remember(w.filter._id as string, w.effect.entry);
        return E.right(outcomes);
      }
      if (attempt >= maxExactAttempts) {
        return E.left({
          _tag: 'StoreError',
          code: 'store-contention',
          retryable: true,
          message: `${writes.length - written.right} orders kept changing under the write`,
          cause: undefined,
        });
      }
      const again = await store.find(round.map((r) => r.event.paymentOrderId))();
      if (E.isLeft(again)) return again;
      docs = again.right;
      writtenAt = [...writtenAt, now];
    }
  };

  /**
   * What a result needs before the round's one write: nothing (its key is remembered in the order's
   * history), a write that at most one alternative of matches, or a read (the slow path decides).
   */
  const planOf = (r: PspResult, key: string, now: Date, maxAlternatives: number): Plan => {
    const entry = memory.recorded(key);
    if (entry !== undefined)
      return { _tag: 'Known', outcome: outcomeRecordedBy(entry, r.source) ?? { _tag: 'Duplicate' } };
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

  const processRound = async (
    round: readonly PspResult[],
    keys: readonly string[],
  ): Promise<E.Either<StoreError, readonly Outcome[]>> => {
    const now = deps.now();
    // Each alternative costs the server a statement; they pay only where they spare the read: a round of one.
    const maxAlternatives = round.length === 1 ? Number.POSITIVE_INFINITY : 1;
    const plans = round.map((r, i) => planOf(r, keys[i] ?? '', now, maxAlternatives));
    const statements: ConditionalWrite[] = [];
    let writing = 0;
    let decided = true;
    for (const p of plans) {
      if (p._tag === 'Write') {
        writing++;
        for (const a of p.alternatives) statements.push(a);
      } else if (p._tag === 'Read') decided = false;
    }
    const written = statements.length === 0 ? E.right(0) : await store.write(statements)();
    if (E.isLeft(written)) return written;
    // At most one alternative per result matches: all matched means every write went through.
    if (written.right === writing) {
      plans.forEach((p, i) => {
        const alternative = p._tag === 'Write' ? p.alternatives[0] : undefined;
        if (alternative !== undefined) memory.remember(round[i]?.event.paymentOrderId ?? '', alternative.effect.entry);
      });
      if (decided) return E.right(plans.filter(isDecided).map((p) => p.outcome));
      // The others are resolved: only the results waiting for a read go the slow path, on their own orders.
      return resolveWaiting(round, keys, plans, now);
    }
    const docs = await store.find(round.map((r) => r.event.paymentOrderId))();
    if (E.isLeft(docs)) return docs;
    return resolveRound(round, keys, docs.right, [now]);
  };

  /** Reads and resolves the results of a round planned `Read`, once every other result of it is resolved. */
  const resolveWaiting = async (
    round: readonly PspResult[],
    keys: readonly string[],
    plans: readonly Plan[],
    now: Date,
  ): Promise<E.Either<StoreError, readonly Outcome[]>> => {
    const waiting: number[] = [];
    plans.forEach((p, i) => {
      if (p._tag === 'Read') waiting.push(i);
    });
    const results = waiting.map((i) => round[i] as PspResult);
    const docs = await store.find(results.map((r) => r.event.paymentOrderId))();
    if (E.isLeft(docs)) return docs;
    const resolved = await resolveRound(
      results,
      waiting.map((i) => keys[i] ?? ''),
      docs.right,
      [now],
    );
    if (E.isLeft(resolved)) return resolved;
    const outcomes = plans.map((p) => (p._tag === 'Read' ? undefined : p.outcome));
    waiting.forEach((index, j) => {
      outcomes[index] = resolved.right[j];
    });
    return E.right(outcomes as Outcome[]);
  };

  // Plain async steps rather than TaskEither chains: a batch runs several rounds, each a handful of steps,
  // and the chains' closures were a large share of the worker's CPU per event.
  const processPspResults =
    (results: readonly PspResult[]): TE.TaskEither<StoreError, readonly Outcome[]> =>
    async () => {
      const rounds = roundsOf(results, (r) => r.event.paymentOrderId);
      const outcomes: Outcome[] = new Array<Outcome>(results.length);
      for (const indexes of rounds) {
        const round = indexes.map((i) => results[i] as PspResult);
        const resolved = await processRound(
          round,
          round.map((r) => eventKeyOf(r.event)),
        );
        if (E.isLeft(resolved)) return resolved;
        indexes.forEach((index, j) => {
          outcomes[index] = resolved.right[j] as Outcome;
        });
      }
      return E.right(outcomes);
    };

  return {
    processPspResults,
    processPspResult: (event, source) => async () => {
      const outcomes = await processPspResults([{ event, source }])();
      return E.isLeft(outcomes) ? outcomes : E.right(outcomes.right[0] as Outcome);
    },
  };
};
