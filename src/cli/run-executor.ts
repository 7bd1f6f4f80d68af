import * as E from 'fp-ts/lib/Either.js';
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { MongoClient } from 'mongodb';
import {
  Subject,
  defer,
  from,
  lastValueFrom,
  map,
  mergeMap,
  of,
  tap,
  throwError,
  toArray,
  type Observable,
} from 'rxjs';
import { decodeFailureReason, decodePaymentOrderCommand, describeDecodeFailure, headerValue } from '../codecs/index.js';
import type { PaymentOrderId } from '../codecs/index.js';
import type { ConfigOf } from '../config/env-spec.js';
import type { executorEnv } from '../config/executor-env.js';
import { createKafka, idempotentProducer, groupConsumer, kafkaConnectionOf } from '../kafka/client.js';
import { kafkaSource } from '../kafka/consumer-source.js';
import { deadLetterPublisher } from '../kafka/dead-letter-publisher.js';
import { producerPublish } from '../kafka/producer-publish.js';
import { ensureTopics } from '../kafka/topics.js';
import { retryTransient } from '../operators/retry-transient.js';
import type { OutboxEntry } from '../outbox/outbox-entry.js';
import { drainOutbox, outboxRelay } from '../outbox/outbox-relay.js';
import { groupCommit } from '../outbox/group-commit.js';
import { ensureOutboxIndexes, outboxCollection, outboxStore } from '../outbox/outbox-store.js';
import {
  executePaymentOrders,
  resultDedupKeyOf,
  type ExecutePaymentOrder,
  type ExecutorTask,
} from '../publisher/payment-order-executor.js';
import type { PspName } from '../publisher/psp-client.js';
import { defaultSimulation, mongoIdempotency, pspClientFor, type IdempotencyMemory } from '../publisher/psp/index.js';
import type { SimulationRates } from '../publisher/psp/simulation.js';
import type { ConsumedMessage } from '../streams/consumed-message.js';
import { OffsetLedger } from '../streams/offset-ledger.js';
import { consumePartitions } from '../streams/psp-result-update-consumer.js';
import { createExecutorMetrics, type ExecutorMetrics } from '../telemetry/executor-metrics.js';
import { startHealthServer, type HealthServer } from '../telemetry/health-server.js';
import type { Logger } from '../telemetry/logger.js';
import { formatTraceparent, parseTraceparent, SpanKind, startSpanFrom } from '../telemetry/trace-context.js';
import { closeBoundMs } from './run-worker.js';
import { untilStarted, within } from './start-up.js';

export type ExecutorConfig = ConfigOf<typeof executorEnv>;

/** Deterministic demo orders: the same count and prefix always give the same commands. */
export const generatedCommands = (count: number, prefix: string): readonly ExecutePaymentOrder[] =>
  Array.from({ length: count }, (_, i) => ({
    paymentOrderId: `${prefix}-${i}` as PaymentOrderId,
    amount: 100 + ((i * 7919) % 99_900),
    currency: i % 3 === 0 ? 'USD' : 'EUR',
    psp: (i % 2 === 0 ? 'stripe' : 'adyen') satisfies PspName,
    attempt: 1,
  }));

/** Most results one outbox insert carries (~1 KiB each). */
const outboxRecordBatch = 1_000;

/** About 30% retryable answers and 10% check-later ones: the loop's hard case. */
const flakyRates: SimulationRates = {
  decline: 0.06,
  insufficientFunds: 0.02,
  timeout: 0.05,
  serverError: 0.15,
  rateLimit: 0.1,
  pending: 0.05,
  authRequired: 0.03,
  capturePending: 0.02,
};

/** Connections, PSPs, outbox and relay: what both ways of running the executor share. */
const openExecutor = async (
  config: ExecutorConfig,
  logger: Logger,
  opts: {
    readonly signal?: AbortSignal | undefined;
    readonly ready?: () => Promise<boolean>;
    /** What the simulated PSPs remember; their own MongoDB collections unless given (the one-process demo). */
    readonly simulatorMemory?: IdempotencyMemory | undefined;
  } = {},
) => {
  const metrics = createExecutorMetrics();
  const health = await startHealthServer({
    port: config.EXECUTOR_METRICS_PORT,
    registry: metrics.registry,
    ready: opts.ready ?? (() => Promise.resolve(true)),
  });
  const retryStart = { logger, signal: opts.signal };
  let mongo: MongoClient | undefined;
  let producer: Producer | undefined;
  try {
    mongo = await untilStarted(
      'store',
      async () => {
        mongo = new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 5_000 });
        await mongo.connect();
        await ensureOutboxIndexes(mongo.db(config.MONGO_DB));
        return mongo;
      },
      retryStart,
      async () => mongo?.close(),
    );
    const kafka = createKafka(kafkaConnectionOf(config, '-executor'), logger);
    await untilStarted(
      'kafka topics',
      async () => {
        const admin = kafka.admin();
        try {
          await admin.connect();
          await ensureTopics(admin, [
            { topic: config.PSP_RESULT_TOPIC, partitions: config.PSP_RESULT_PARTITIONS },
            { topic: config.PSP_COMMAND_TOPIC, partitions: config.PSP_RESULT_PARTITIONS },
            { topic: config.PSP_COMMAND_DLQ_TOPIC, partitions: 1 },
          ]);
        } finally {
          await admin.disconnect();
        }
      },
      retryStart,
    );
    producer = idempotentProducer(kafka);
    const theProducer = producer;
    await untilStarted(
      'kafka producer',
      () => theProducer.connect(),
      retryStart,
      () => theProducer.disconnect(),
    );
    return connectedExecutor(config, logger, {
      metrics,
      health,
      mongo,
      kafka,
      producer,
      simulatorMemory: opts.simulatorMemory,
    });
  } catch (error) {
    await within(closeBoundMs, Promise.allSettled([producer?.disconnect(), mongo?.close(), health.close()]));
    throw error;
  }
};

/** PSPs, outbox and relay over open connections. */
const connectedExecutor = (
  config: ExecutorConfig,
  logger: Logger,
  open: {
    readonly metrics: ExecutorMetrics;
    readonly health: HealthServer;
    readonly mongo: MongoClient;
    readonly kafka: Kafka;
    readonly producer: Producer;
    readonly simulatorMemory?: IdempotencyMemory | undefined;
  },
) => {
  const { metrics, health, mongo, kafka, producer } = open;
  const db = mongo.db(config.MONGO_DB);
  const outbox = outboxStore(db.collection<OutboxEntry>(outboxCollection), {
    owner: `executor-${randomUUID()}`,
    leaseMs: config.OUTBOX_LEASE_MS,
  });
  metrics.countOutboxPendingWith(async () => {
    const pending = await outbox.countPending()();
    return E.isRight(pending) ? pending.right : undefined;
  });

  const retry = {
    backoff: { baseMs: 100, capMs: 5_000 },
    random: Math.random,
    onRetry: (error: { retryable: boolean }, attempt: number) => {
      logger.warn({ attempt, error }, 'executor: transient failure, retrying');
    },
  };
  // The simulated PSPs are external systems: what they remember lives in their own collections.
  const sim = {
    ...defaultSimulation,
    ...(config.PSP_SIM_PROFILE === 'flaky' ? { rates: flakyRates } : {}),
    seed: config.PSP_SIM_SEED,
    latencyMs: { min: 0, max: config.PSP_SIM_LATENCY_MS },
    memory:
      open.simulatorMemory ??
      mongoIdempotency(db, {
        onCharge: (psp) => {
          metrics.charges.inc({ psp });
        },
      }),
  };
  const clients = { stripe: pspClientFor('stripe', sim), adyen: pspClientFor('adyen', sim) };
  const drainDeps = {
    outbox,
    publish: producerPublish(producer),
    retry,
    now: () => new Date(),
    pageSize: config.OUTBOX_PAGE_SIZE,
  };
  const kick$ = new Subject<void>();
  const stopRelay$ = new Subject<void>();
  // The relay's one subscription; `relayed` counts what it sent, `relaying` settles when it ended.
  let relayed = 0;
  let relayEnded!: () => void;
  const relaying = new Promise<void>((resolve) => {
    relayEnded = resolve;
  });
  const relay = outboxRelay({
    ...drainDeps,
    kick$,
    stop$: stopRelay$,
    pollIntervalMs: config.OUTBOX_POLL_MS,
  }).subscribe({
    next: (sent) => {
      relayed += sent;
    },
    complete: () => {
      relayEnded();
    },
    error: (error: unknown) => {
      logger.error({ err: error }, 'outbox relay stopped with an error; pending entries stay for the next relay');
      relayEnded();
    },
  });
  /** Stops the relay after its page in progress, or at `deadline` (epoch ms) whatever it is doing. */
  const stopRelay = async (deadline: number): Promise<void> => {
    stopRelay$.next();
    if ((await within(Math.max(0, deadline - Date.now()), relaying)) === 'timeout') relay.unsubscribe();
  };
  const closeClients = async (): Promise<void> => {
    await within(closeBoundMs, Promise.allSettled([producer.disconnect(), mongo.close(), health.close()]));
  };

  const execute = executePaymentOrders({
    pspFor: (name) => clients[name],
    // Results answered while an insert is in flight share the next one: a burst costs a few round trips, not one per result.
    outbox: { ...outbox, record: groupCommit(outbox.record, outboxRecordBatch) },
    resultTopic: config.PSP_RESULT_TOPIC,
    pspTimeoutMs: config.PSP_TIMEOUT_MS,
    concurrency: config.EXECUTOR_CONCURRENCY,
    now: () => new Date(),
    retry,
    traceExecution: (task) => {
      const span = startSpanFrom(
        `psp.${task.kind === 'status-check' ? 'status' : 'charge'} ${task.psp}`,
        task.traceparent,
        {
          kind: SpanKind.CLIENT,
          attributes: { 'psp.name': task.psp, 'payment_order.id': task.paymentOrderId },
        },
      );
      return {
        traceparent: formatTraceparent(span.spanContext()),
        end: (answer) => {
          if (answer !== undefined) span.setAttribute('psp.status', answer.pspStatus);
          span.end();
        },
      };
    },
  });
  const executed = (tasks$: Observable<ExecutorTask>) =>
    tasks$.pipe(
      execute,
      tap((e) => {
        kick$.next();
        metrics.published.inc({ psp: e.command.psp, status: e.event.pspStatus });
        const trace = parseTraceparent(e.command.traceparent);
        logger.info(
          {
            traceId: trace?.traceId,
            spanId: trace?.spanId,
            paymentOrderId: e.event.paymentOrderId,
            pspReference: e.event.pspReference,
            pspStatus: e.event.pspStatus,
            psp: e.command.psp,
            topic: e.entry.topic,
            outcome: 'recorded',
          },
          'psp result recorded in outbox',
        );
      }),
    );

  /**
   * For a batch run: stops the relay after a last full drain, then closes everything. Returns how many
   * entries were sent.
   */
  const close = async (): Promise<number> => {
    await stopRelay(Number.POSITIVE_INFINITY);
    // Entries a killed relay claimed are free again once its lease ran out: wait for them, so nothing
    // recorded is left unpublished when this run ends.
    let sentAtEnd = 0;
    const deadline = Date.now() + config.OUTBOX_LEASE_MS + 5_000;
    for (;;) {
      const sent = await lastValueFrom(drainOutbox(drainDeps).pipe(toArray()), { defaultValue: [] });
      sentAtEnd += sent.reduce((a, n) => a + n, 0);
      const pending = await outbox.countPending()();
      if (E.isLeft(pending) || pending.right === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await closeClients();
    return relayed + sentAtEnd;
  };

  /**
   * For a service's stop: the relay finishes its page in progress (or is cut at `deadline`); entries still
   * pending stay in the outbox for the next relay, in this process's successor or in another executor.
   */
  const closeBy = async (deadline: number): Promise<void> => {
    await stopRelay(deadline);
    await closeClients();
  };

  return { kafka, producer, outbox, executed, close, closeBy, metricsPort: health.port };
};

/**
 * Executes the given commands (skipping those whose result is already in the outbox, so a restarted run
 * picks up where it was killed), publishes through the outbox, and resolves once the outbox is drained.
 */
export const runExecutorBatch = async (
  config: ExecutorConfig,
  commands: readonly ExecutePaymentOrder[],
  logger: Logger,
): Promise<{ readonly executed: number; readonly published: number }> => {
  const executor = await openExecutor(config, logger);
  try {
    const recorded = await executor.outbox.recordedDedupKeys(commands.map(resultDedupKeyOf))();
    if (E.isLeft(recorded)) throw new Error(recorded.left.message, { cause: recorded.left });
    const todo = commands.filter((c) => !recorded.right.has(resultDedupKeyOf(c)));
    const done = await lastValueFrom(from(todo).pipe(executor.executed, toArray()));
    return { executed: done.length, published: await executor.close() };
  } catch (error) {
    await executor.close();
    throw error;
  }
};

/** The command a consumed record carries, as an executor task, or why it cannot be one. */
const taskOf = (message: ConsumedMessage): E.Either<{ reason: string; description: string }, ExecutorTask> => {
  const decoded = decodePaymentOrderCommand(message);
  if (E.isLeft(decoded)) {
    return E.left({ reason: decodeFailureReason(decoded.left), description: describeDecodeFailure(decoded.left) });
  }
  const command = decoded.right;
  const traceparent = headerValue(message.headers, 'traceparent');
  switch (command.type) {
    case 'PaymentOrderCreated':
    case 'PaymentOrderRetryRequested':
      return E.right({
        kind: 'charge',
        paymentOrderId: command.paymentOrderId,
        amount: command.amount,
        currency: command.currency,
        psp: command.psp,
        attempt: command.attempt,
        traceparent,
      });
    case 'PaymentOrderStatusCheckRequested':
      return E.right({
        kind: 'status-check',
        paymentOrderId: command.paymentOrderId,
        psp: command.psp,
        pspReference: command.pspReference,
        check: command.check,
        traceparent,
      });
  }
};

export interface RunningExecutor {
  readonly metricsPort: number;
  readonly done: Promise<void>;
  readonly stop: () => Promise<void>;
}

/**
 * The executor as a service: consumes `payment-order-commands` in its own group and commits a command's
 * offset only once its result is durably in the outbox.
 */
export const runExecutorService = async (
  config: ExecutorConfig,
  logger: Logger,
  opts: { readonly signal?: AbortSignal | undefined; readonly simulatorMemory?: IdempotencyMemory | undefined } = {},
): Promise<RunningExecutor> => {
  // Ready once the consumer joined its group, and never again from the first moment of a stop.
  let stopping = false;
  let joined = (): boolean => false;
  const executor = await openExecutor(config, logger, {
    signal: opts.signal,
    ready: () => Promise.resolve(!stopping && joined()),
    simulatorMemory: opts.simulatorMemory,
  });
  const consumer = groupConsumer(executor.kafka, {
    groupId: config.EXECUTOR_GROUP,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
  });
  try {
    await untilStarted(
      'kafka consumer',
      () => consumer.connect(),
      { logger, signal: opts.signal },
      () => consumer.disconnect(),
    );
  } catch (error) {
    await executor.closeBy(Date.now());
    throw error;
  }
  const source = kafkaSource(consumer, config.PSP_COMMAND_TOPIC, Date.now);
  joined = source.joined;
  const deadLetter = deadLetterPublisher(executor.producer, config.PSP_COMMAND_DLQ_TOPIC, () => new Date());
  const retry = { backoff: { baseMs: 100, capMs: 10_000 }, random: Math.random };

  const pipeline$ = consumePartitions(source.events$, {
    control: source.control,
    ledger: new OffsetLedger(),
    // A lane takes all it holds at once: under a burst its commands share a few outbox inserts (group commit)
    // instead of queueing one batch of 100 behind the previous batch's insert.
    config: { maxInFlightPerPartition: 500, maxBatchSize: 500, commitIntervalMs: 500, commitEvery: 200 },
    messageOf: (done: { readonly message: ConsumedMessage }) => done.message,
    onCommitFailed: (error) => {
      logger.warn({ err: error }, 'command offset commit failed; offered again at the next commit');
    },
    applyBatch: (batch) => {
      const tasks = batch.map((message) => ({ message, task: taskOf(message) }));
      const letters = tasks.flatMap(({ message, task }) => (E.isLeft(task) ? [{ message, ...task.left }] : []));
      const valid = tasks.flatMap(({ message, task }) => (E.isRight(task) ? [{ message, task: task.right }] : []));
      const lettered$ =
        letters.length === 0
          ? of<readonly { message: ConsumedMessage }[]>([])
          : retryTransient(() => deadLetter(letters), retry).pipe(
              mergeMap((sent) =>
                E.isLeft(sent)
                  ? throwError(
                      () => new Error(`command dead-letter publish failed: ${sent.left.message}`, { cause: sent.left }),
                    )
                  : of(letters.map(({ message }) => ({ message }))),
              ),
            );
      const executed$ = from(valid.map((v) => v.task)).pipe(executor.executed, toArray());
      return defer(() => lettered$).pipe(
        mergeMap((lettered) => executed$.pipe(map(() => [...lettered, ...valid.map(({ message }) => ({ message }))]))),
        mergeMap((all) => from(all)),
      );
    },
  });

  // The pipeline's one subscription: ended by completion (drained), by its error, or abandoned at the deadline.
  let ended!: (outcome: { readonly error?: unknown }) => void;
  const end = new Promise<{ readonly error?: unknown }>((resolve) => {
    ended = resolve;
  });
  const subscription = pipeline$.subscribe({
    complete: () => {
      ended({});
    },
    error: (error: unknown) => {
      ended({ error });
    },
  });
  let deadline = Number.POSITIVE_INFINITY;
  // Clients close only after the pipeline ended or was abandoned; the relay gets what is left of the deadline.
  const done = end.then(async ({ error }) => {
    stopping = true;
    await within(closeBoundMs, consumer.disconnect());
    await executor.closeBy(Math.min(deadline, Date.now() + closeBoundMs));
    if (error !== undefined) throw error instanceof Error ? error : new Error(JSON.stringify(error));
  });
  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    stopping = true;
    deadline = Math.min(deadline, Date.now() + config.SHUTDOWN_TIMEOUT_MS);
    await source.stop();
    if ((await within(Math.max(0, deadline - Date.now()), end)) === 'timeout') {
      // Commands in flight stay uncommitted and are executed again by the next owner with the same
      // idempotency key: the PSP charges once.
      logger.warn(
        { shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS },
        'executor drain reached its deadline; unfinished commands stay uncommitted and will be redelivered',
      );
      subscription.unsubscribe();
      ended({});
    }
    await done.catch(() => undefined);
  };
  logger.info({ topic: config.PSP_COMMAND_TOPIC, group: config.EXECUTOR_GROUP }, 'payment order executor started');
  return {
    metricsPort: executor.metricsPort,
    done,
    stop: () => (stopped ??= stop()),
  };
};
