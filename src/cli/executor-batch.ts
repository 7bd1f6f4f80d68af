import * as E from 'fp-ts/lib/Either.js';
import { from, lastValueFrom, toArray } from 'rxjs';
import type { PaymentOrderCommand } from '../codecs/index.js';
import { resultDedupKeyOf } from '../publisher/payment-order-executor.js';
import type { Logger } from '../telemetry/logger.js';
import type { ExecutorConfig } from './executor-policies.js';
import { openExecutor } from './open-executor.js';

/**
 * `executor --orders N`: executes the given commands (skipping those whose result is already in the outbox,
 * so a restarted run picks up where it was killed), publishes through the outbox, and resolves once the
 * outbox is drained.
 */
export const runExecutorBatch = async (
  config: ExecutorConfig,
  commands: readonly PaymentOrderCommand[],
  logger: Logger,
): Promise<{ readonly executed: number; readonly published: number }> => {
  const { service, closeClients } = await openExecutor(config, logger);
  const finish = async (): Promise<number> => {
    const published = await service.finish();
    await closeClients();
    return published;
  };
  try {
    const recorded = await service.outbox.recordedDedupKeys(commands.map(resultDedupKeyOf))();
    if (E.isLeft(recorded)) throw new Error(recorded.left.message, { cause: recorded.left });
    const todo = commands.filter((c) => !recorded.right.has(resultDedupKeyOf(c)));
    const done = await lastValueFrom(from(todo.map((command) => ({ command }))).pipe(service.executed, toArray()));
    return { executed: done.length, published: await finish() };
  } catch (error) {
    await finish();
    throw error;
  }
};
