import { parseArgs } from 'node:util';
import { decodeEnv, describeEnv } from '../config/env-spec.js';
import { executorEnv } from '../config/executor-env.js';
import { createLogger } from '../telemetry/logger.js';
import { generatedCommands } from '../publisher/generated-commands.js';
import { runExecutorBatch } from './executor-batch.js';
import { runExecutorService } from './run-executor.js';
import { orExplainInvalidEnv } from './explain-invalid-env.js';
import { serveUntilSignalled } from './serve-until-signalled.js';

export const executorHelp = `usage: psp-stream executor [--orders N [--prefix P]]

Runs the PaymentOrderExecutor with the simulated PSPs (Stripe-like and Adyen-like). Each PSP result is
recorded in the outbox (MongoDB psp_result_outbox) and published to the result topic by the relay.

Without options it is a service: it consumes commands (PaymentOrderCreated, PaymentOrderRetryRequested,
PaymentOrderStatusCheckRequested) from the command topic in its own consumer group, calls the PSP with the
idempotency key paymentOrderId:attempt, and commits a command only once its result is in the outbox.
Start-up waits for MongoDB and Kafka, retrying with backoff. SIGTERM/SIGINT: /readyz turns 503 at once; the
commands in flight finish until SHUTDOWN_TIMEOUT_MS (the rest stay uncommitted and are redelivered); the relay
finishes its page in progress and leaves the other pending entries for the next relay; then it exits.

With --orders it executes N generated payment orders (ids P-0 … P-(N-1)) and exits once every result is
acknowledged by Kafka; run again after a crash, it skips what is already recorded.

options:
  --orders N   execute N generated payment orders, then exit
  --prefix P   payment order id prefix (default: order)

environment:
${describeEnv(executorEnv)}`;

export const runExecutorCommand = async (args: readonly string[]): Promise<number> => {
  const parsed = parseArgs({
    args: [...args],
    options: { orders: { type: 'string' }, prefix: { type: 'string', default: 'order' } },
    strict: true,
  });
  const orders = parsed.values.orders === undefined ? undefined : Number(parsed.values.orders);
  if (orders !== undefined && (!Number.isSafeInteger(orders) || orders < 1)) {
    console.error('executor: --orders must be a positive integer');
    return 2;
  }
  const config = orExplainInvalidEnv(decodeEnv(executorEnv, process.env));
  if (config === undefined) return 2;
  const logger = createLogger({ name: 'psp-stream-executor', level: config.LOG_LEVEL });
  if (orders === undefined) {
    return serveUntilSignalled({
      logger,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      start: (signal) => runExecutorService(config, logger, { signal }),
      messages: {
        shuttingDown: 'executor shutting down',
        // Nothing is lost: commands stay uncommitted, entries pending.
        overdue: 'executor shutdown did not finish in time; exiting',
        failed: 'executor failed',
      },
    });
  }
  const t0 = Date.now();
  const { executed, published } = await runExecutorBatch(
    config,
    generatedCommands(orders, parsed.values.prefix),
    logger,
  );
  const seconds = (Date.now() - t0) / 1000;
  logger.info({ executed, published, seconds, perSecond: Math.round(executed / seconds) }, 'executor finished');
  return 0;
};
