import * as RA from 'fp-ts/lib/ReadonlyArray.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { PspResultUpdateEvent } from '../codecs/index.js';
import { resolvePspResult } from './apply-psp-result.js';
import { exactWrite, optimisticWrite, type ConditionalWrite } from './conditional-update.js';
import { eventKeyOf } from '../codecs/index.js';
import type { Outcome } from './outcome.js';
import type { PaymentOrderDocument, ResultSource } from './payment-order.js';
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

export const processPaymentService = (deps: {
  readonly store: PaymentOrderStore;
  readonly policy: RetryPolicy;
  readonly now: () => Date;
}): ProcessPaymentService => {
  const { store, policy } = deps;

  /** The slow path, for results the optimistic write did not apply: read, decide, write that version. */
  const settle = (
    result: PspResult,
    doc: PaymentOrderDocument | null,
    attempt = 1,
  ): TE.TaskEither<StoreError, Outcome> => {
    const now = deps.now();
    const resolution = resolvePspResult(doc, result.event, result.source, policy, now);
    if (resolution._tag === 'Done' || doc === null) return TE.right(resolution.outcome);
    return pipe(
      store.write([exactWrite(doc, resolution.effect, now)]),
      TE.chain((matched) => {
        if (matched === 1) return TE.right(resolution.outcome);
        if (attempt >= maxExactAttempts) {
          return TE.left<StoreError>({
            _tag: 'StoreError',
            code: 'store-contention',
            retryable: true,
            message: `order ${result.event.paymentOrderId} kept changing under the write`,
            cause: undefined,
          });
        }
        return pipe(
          store.find([result.event.paymentOrderId]),
          TE.chain((docs) => settle(result, docs.get(result.event.paymentOrderId) ?? null, attempt + 1)),
        );
      }),
    );
  };

  /** A result whose key this very record already put in history was applied by it (maybe before a crash). */
  const appliedBy = (doc: PaymentOrderDocument | undefined, key: string, source: ResultSource): Outcome | undefined => {
    const entry = doc?.history.find((h) => h.key === key);
    return entry?.kind === 'psp-result' &&
      entry.outcome === 'applied' &&
      entry.topic === source.topic &&
      entry.partition === source.partition &&
      entry.offset === source.offset
      ? { _tag: 'Applied', to: entry.to, ...(entry.reason === undefined ? {} : { reason: entry.reason }) }
      : undefined;
  };

  const processRound = (round: readonly PspResult[]): TE.TaskEither<StoreError, readonly Outcome[]> => {
    const now = deps.now();
    const keys = round.map((r) => eventKeyOf(r.event));
    const writes = round.map((r, i) => optimisticWrite(r.event, keys[i] ?? '', r.source, policy, now));
    const optimistic = writes.filter((w): w is ConditionalWrite => w !== undefined);
    return pipe(
      optimistic.length === 0 ? TE.right(0) : store.write(optimistic),
      TE.chain((matched): TE.TaskEither<StoreError, readonly Outcome[]> => {
        if (matched === round.length) {
          return TE.right(optimistic.map((w): Outcome => ({ _tag: 'Applied', to: w.effect.to })));
        }
        return pipe(
          store.find(round.map((r) => r.event.paymentOrderId)),
          TE.chain((docs) =>
            pipe(
              round.map((r, i) => {
                const doc = docs.get(r.event.paymentOrderId);
                const applied = appliedBy(doc, keys[i] ?? '', r.source);
                return applied === undefined ? settle(r, doc ?? null) : TE.right(applied);
              }),
              RA.sequence(TE.ApplicativePar),
            ),
          ),
        );
      }),
    );
  };

  const processPspResults = (results: readonly PspResult[]): TE.TaskEither<StoreError, readonly Outcome[]> => {
    const rounds = roundsOf(results, (r) => r.event.paymentOrderId);
    const outcomes: Outcome[] = new Array<Outcome>(results.length);
    return pipe(
      rounds,
      RA.map((indexes) =>
        pipe(
          processRound(indexes.map((i) => results[i] as PspResult)),
          TE.map((roundOutcomes) => {
            indexes.forEach((index, j) => {
              outcomes[index] = roundOutcomes[j] as Outcome;
            });
          }),
        ),
      ),
      RA.sequence(TE.ApplicativeSeq),
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
