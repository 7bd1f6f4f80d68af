import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { tap, type Observable } from 'rxjs';
import type { BackoffPolicy } from '../operators/backoff.js';
import type { RetryDeps } from '../operators/retry-transient.js';
import type { Publish } from '../outbox/event-sink.js';
import { groupCommit } from '../outbox/group-commit.js';
import type { OutboxEntry } from '../outbox/outbox-entry.js';
import { outboxCollection, outboxStore, type OutboxStore } from '../outbox/outbox-store.js';
import { executePaymentOrders, type Executed, type ExecutorDeps } from './payment-order-executor.js';
import { mongoIdempotency, pspClientFor, simulationProfiles, type IdempotencyMemory } from './psp/index.js';
import type { SimulationProfile } from './psp/simulation.js';
import { startResultRelay } from './result-relay.js';
import type { TracedCommand } from './traced-command.js';

/** The executor's own policies (the cli builds them with its consumer's, as one `ExecutorPolicies`). */
export interface ExecutorServicePolicies {
  /** Outbox writes of results, and the relay's claims and sends, failing transiently: retried with this backoff. */
  readonly outboxRetry: BackoffPolicy;
  /** Most results one outbox insert carries: results answered while an insert is in flight share the next one. */
  readonly outboxRecordBatch: number;
  /** The jitter of the backoff above, in [0, 1). */
  readonly random: () => number;
}

export interface ExecutorServiceDeps {
  readonly db: Db;
  /** Sends the relay's pages to Kafka. */
  readonly publish: Publish;
  readonly resultTopic: string;
  readonly pspTimeoutMs: number;
  /** PSP calls in flight at once. */
  readonly concurrency: number;
  readonly outbox: { readonly leaseMs: number; readonly pageSize: number; readonly pollIntervalMs: number };
  readonly simulation: {
    readonly profile: SimulationProfile;
    readonly seed: number;
    readonly latencyMaxMs: number;
    /** What the simulated PSPs remember; their own MongoDB collections unless given (the one-process demo). */
    readonly memory?: IdempotencyMemory | undefined;
  };
  readonly policies: ExecutorServicePolicies;
  /** What the service tells the outside world: traces, metrics and logs. */
  readonly telemetry: {
    readonly traceExecution: ExecutorDeps['traceExecution'];
    /** A result is durably in the outbox. */
    readonly recorded: (executed: Executed) => void;
    /** A transient outbox or Kafka failure, about to be retried. */
    readonly retry: NonNullable<RetryDeps['onRetry']>;
    /** A simulated PSP charged an order (counted in its own MongoDB collections). */
    readonly charged: (psp: string) => void;
    /** The relay stopped with an error; its pending entries stay for the next relay. */
    readonly relayFailed: (error: unknown) => void;
  };
}

export interface ExecutorService {
  readonly outbox: OutboxStore;
  /** Executes commands: emits each once its result is durably in the outbox (the relay is woken for it). */
  readonly executed: (commands$: Observable<TracedCommand>) => Observable<Executed>;
  readonly stopBy: (deadline: number) => Promise<void>;
  readonly finish: () => Promise<number>;
}

/**
 * The PaymentOrderExecutor as a running service over an open MongoDB: the simulated PSPs (their memory in
 * their own collections: they are external systems), the outbox its results go to, and the relay that
 * publishes them. `stopBy` and `finish` are the relay's (see `ResultRelay`).
 */
export const startExecutorService = (deps: ExecutorServiceDeps): ExecutorService => {
  const { db, policies, telemetry } = deps;
  const outbox = outboxStore(deps.db.collection<OutboxEntry>(outboxCollection), {
    owner: `executor-${randomUUID()}`,
    leaseMs: deps.outbox.leaseMs,
  });
  const retry: RetryDeps = { backoff: policies.outboxRetry, random: policies.random, onRetry: telemetry.retry };
  const sim = {
    seed: deps.simulation.seed,
    latencyMs: { min: 0, max: deps.simulation.latencyMaxMs },
    rates: simulationProfiles[deps.simulation.profile],
    memory: deps.simulation.memory ?? mongoIdempotency(db, { onCharge: telemetry.charged }),
  };
  const clients = { stripe: pspClientFor('stripe', sim), adyen: pspClientFor('adyen', sim) };
  const relay = startResultRelay({
    outbox,
    publish: deps.publish,
    retry,
    now: () => new Date(),
    pageSize: deps.outbox.pageSize,
    pollIntervalMs: deps.outbox.pollIntervalMs,
    leaseMs: deps.outbox.leaseMs,
    onError: telemetry.relayFailed,
  });
  const execute = executePaymentOrders({
    pspFor: (name) => clients[name],
    outbox: { ...outbox, record: groupCommit(outbox.record, policies.outboxRecordBatch) },
    resultTopic: deps.resultTopic,
    pspTimeoutMs: deps.pspTimeoutMs,
    concurrency: deps.concurrency,
    now: () => new Date(),
    retry,
    traceExecution: telemetry.traceExecution,
  });
  return {
    outbox,
    executed: (commands$) =>
      commands$.pipe(
        execute,
        tap((executed) => {
          relay.kick();
          telemetry.recorded(executed);
        }),
      ),
    stopBy: relay.stopBy,
    finish: relay.finish,
  };
};
