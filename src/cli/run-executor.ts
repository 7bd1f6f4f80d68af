import { from, toArray } from 'rxjs';
import { groupConsumer } from '../kafka/client.js';
import { kafkaSource } from '../kafka/consumer-source.js';
import { deadLetterPublisher } from '../kafka/dead-letter-publisher.js';
import { within } from '../operators/within.js';
import type { IdempotencyMemory } from '../publisher/psp/index.js';
import { decodeTracedCommand } from '../publisher/traced-command.js';
import { commandConsumer } from '../streams/command-consumer.js';
import type { Logger } from '../telemetry/logger.js';
import { boundedRun, closeBoundMs, closingDeadline } from './bounded-run.js';
import { connected } from './connect.js';
import type { ExecutorConfig } from './executor-policies.js';
import { openExecutor } from './open-executor.js';

export type { ExecutorConfig } from './executor-policies.js';

export interface RunningExecutor {
  readonly metricsPort: number;
  readonly done: Promise<void>;
  readonly stop: () => Promise<void>;
}

/**
 * The executor as a service: consumes `payment-order-commands` in its own group (`commandConsumer`, on the
 * worker's machinery) and commits a command's offset only once its result is durably in the outbox.
 */
export const runExecutorService = async (
  config: ExecutorConfig,
  logger: Logger,
  opts: { readonly signal?: AbortSignal | undefined; readonly simulatorMemory?: IdempotencyMemory | undefined } = {},
): Promise<RunningExecutor> => {
  // Ready once the consumer joined its group, and never again from the first moment of a stop.
  let ready = (): boolean => false;
  const executor = await openExecutor(config, logger, {
    signal: opts.signal,
    ready: () => Promise.resolve(ready()),
    simulatorMemory: opts.simulatorMemory,
  });
  const consumer = groupConsumer(executor.kafka, {
    groupId: config.EXECUTOR_GROUP,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
  });
  try {
    await connected('kafka consumer', consumer, { logger, signal: opts.signal });
  } catch (error) {
    await executor.service.stopBy(Date.now());
    await executor.closeClients();
    throw error;
  }
  const source = kafkaSource(consumer, config.PSP_COMMAND_TOPIC, Date.now);
  const pipeline$ = commandConsumer(source.events$, {
    policies: executor.policies,
    control: source.control,
    decode: decodeTracedCommand,
    deadLetter: deadLetterPublisher(executor.producer, config.PSP_COMMAND_DLQ_TOPIC, () => new Date()),
    execute: (commands) => from(commands).pipe(executor.service.executed, toArray()),
    onCommitFailed: (error) => {
      logger.warn({ err: error }, 'command offset commit failed; offered again at the next commit');
    },
  });

  // Clients close only after the pipeline ended or was abandoned; the relay gets what is left of the deadline.
  const run = boundedRun(pipeline$, {
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    stopSource: source.stop,
    close: async (stopDeadline) => {
      await within(closeBoundMs, consumer.disconnect());
      await executor.service.stopBy(closingDeadline(stopDeadline));
      await executor.closeClients();
    },
    onAbandoned: () => {
      // Commands in flight stay uncommitted and are executed again by the next owner with the same
      // idempotency key: the PSP charges once.
      logger.warn(
        { shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS },
        'executor drain reached its deadline; unfinished commands stay uncommitted and will be redelivered',
      );
    },
  });
  ready = () => !run.stopping() && source.joined();
  logger.info({ topic: config.PSP_COMMAND_TOPIC, group: config.EXECUTOR_GROUP }, 'payment order executor started');
  return { metricsPort: executor.metricsPort, done: run.done, stop: run.stop };
};
