import { parseArgs } from 'node:util';
import { decodeEnv, describeEnv } from '../config/env-spec.js';
import { executorEnv } from '../config/executor-env.js';
import { createLogger } from '../telemetry/logger.js';
import { generatedCommands, runExecutorBatch } from './run-executor.js';
import { orExplainInvalidEnv } from './explain-invalid-env.js';

export const executorHelp = `usage: psp-stream executor --orders N [--prefix P]

Runs the PaymentOrderExecutor with the simulated PSPs (Stripe-like and Adyen-like): executes N generated
payment orders (ids P-0 … P-(N-1)), records each PSP result in the outbox (MongoDB psp_result_outbox) and
publishes it to the result topic through the relay; exits once every result is acknowledged by Kafka.
Run again after a crash, it skips orders whose result is already recorded and publishes what is pending.

options:
  --orders N   how many payment orders to execute
  --prefix P   payment order id prefix (default: order)

environment:
${describeEnv(executorEnv)}`;

export const runExecutorCommand = async (args: readonly string[]): Promise<number> => {
  const parsed = parseArgs({
    args: [...args],
    options: { orders: { type: 'string' }, prefix: { type: 'string', default: 'order' } },
    strict: true,
  });
  const orders = Number(parsed.values.orders);
  if (!Number.isSafeInteger(orders) || orders < 1) {
    console.error('executor: --orders must be a positive integer');
    return 2;
  }
  const config = orExplainInvalidEnv(decodeEnv(executorEnv, process.env));
  if (config === undefined) return 2;
  const logger = createLogger({ name: 'psp-stream-executor', level: config.LOG_LEVEL });
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
