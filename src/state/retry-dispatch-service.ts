import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { Db } from 'mongodb';
import { Subject, exhaustMap, interval, merge, takeUntil, tap } from 'rxjs';
import type { BackoffPolicy } from '../operators/backoff.js';
import { fromTask } from '../operators/effects.js';
import { within } from '../operators/within.js';
import type { Publish } from '../outbox/event-sink.js';
import type { OutboxEntry } from '../outbox/outbox-entry.js';
import { outboxRelay } from '../outbox/outbox-relay.js';
import { ensureOutboxIndexes, outboxStore } from '../outbox/outbox-store.js';
import { commandOutboxCollection } from './command-outbox.js';
import type { PaymentOrderDocument } from './payment-order.js';
import { dispatchDue } from './retry-dispatcher.js';

export interface RetryDispatchConfig {
  readonly commandTopic: string;
  readonly intervalMs: number;
  readonly leaseMs: number;
  /** Transient failures of the command outbox's sends are retried with this backoff. */
  readonly relayRetry: BackoffPolicy;
  readonly random: () => number;
}

/** Where the service writes its lines (a pino logger is one). */
export interface RetryDispatchLog {
  readonly info: (fields: object, message: string) => void;
  readonly warn: (fields: object, message: string) => void;
  readonly error: (fields: object, message: string) => void;
}

/** What the service measures (the worker's metrics are one). */
export interface RetryDispatchMetrics {
  /** How late each command went out after it came due. */
  readonly dispatchDelaySeconds: { readonly observe: (seconds: number) => void };
}

export interface RetryDispatch {
  /**
   * Stops claiming at once and lets the outbox page in progress finish; whatever is still running at
   * `deadline` (epoch ms) is abandoned: claims and pending entries are taken again once their leases end.
   */
  readonly stop: (deadline: number) => Promise<void>;
}

/**
 * The worker's retry dispatcher: every interval it sends the commands that came due (retries, status
 * checks, lost first commands) through the command outbox, and relays that outbox to Kafka through the
 * injected `publish`. Every worker runs one; claims with leases keep them from sending an attempt twice.
 */
export const startRetryDispatch = async (deps: {
  readonly db: Db;
  readonly publish: Publish;
  readonly config: RetryDispatchConfig;
  readonly logger: RetryDispatchLog;
  readonly metrics: RetryDispatchMetrics;
}): Promise<RetryDispatch> => {
  const { db, config, logger, metrics } = deps;
  await ensureOutboxIndexes(db, commandOutboxCollection);
  const outbox = outboxStore(db.collection<OutboxEntry>(commandOutboxCollection));
  const owner = `dispatcher-${randomUUID()}`;
  const stop$ = new Subject<void>();
  const kick$ = new Subject<void>();
  const retry = { backoff: config.relayRetry, random: config.random };

  const dispatching$ = interval(config.intervalMs).pipe(
    exhaustMap(() =>
      fromTask(
        dispatchDue(
          {
            orders: db.collection<PaymentOrderDocument>('payment_orders'),
            outbox,
            commandTopic: config.commandTopic,
            owner,
            leaseMs: config.leaseMs,
            now: () => new Date(),
          },
          500,
        ),
      ),
    ),
    tap((result) => {
      if (E.isLeft(result)) {
        logger.warn({ code: result.left.code, err: result.left.message }, 'retry dispatch failed; trying again');
        return;
      }
      for (const d of result.right) {
        metrics.dispatchDelaySeconds.observe(d.delayMs / 1000);
        logger.info(
          { paymentOrderId: d.paymentOrderId, command: d.commandKey, delayMs: d.delayMs },
          'command dispatched',
        );
      }
      if (result.right.length > 0) kick$.next();
    }),
    // A dispatch cut short is safe: its claim's lease runs out and the command key is recorded once.
    takeUntil(stop$),
  );
  const relaying$ = outboxRelay({
    outbox,
    publish: deps.publish,
    retry,
    now: () => new Date(),
    pageSize: 500,
    pollIntervalMs: config.intervalMs,
    kick$,
    stop$,
  });
  let ended!: () => void;
  const running = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const subscription = merge(dispatching$, relaying$).subscribe({
    complete: () => {
      ended();
    },
    error: (error: unknown) => {
      logger.error({ err: error }, 'retry dispatcher stopped with an error');
      ended();
    },
  });
  return {
    stop: async (deadline) => {
      stop$.next();
      if ((await within(Math.max(0, deadline - Date.now()), running)) === 'timeout') {
        logger.warn({}, 'retry dispatcher did not finish its outbox page before the deadline; abandoned');
        subscription.unsubscribe();
      }
    },
  };
};
