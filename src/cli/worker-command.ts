import { decodeEnv, describeEnv } from '../config/env-spec.js';
import { workerEnv } from '../config/worker-env.js';
import { kafkaSecurityFailureOf } from '../kafka/security-failure.js';
import { createLogger } from '../telemetry/logger.js';
import { orExplainInvalidEnv } from './explain-invalid-env.js';
import { runWorker } from './run-worker.js';

export const workerHelp = `usage: psp-stream worker

Runs the PspResultUpdateConsumer: consumes PSP result updates, applies them to payment orders in MongoDB,
dead-letters what cannot be applied, and commits offsets only after the write resolved.
SIGTERM/SIGINT drain in-flight work, commit and disconnect.

environment:
${describeEnv(workerEnv)}`;

export const runWorkerCommand = async (): Promise<number> => {
  const config = orExplainInvalidEnv(decodeEnv(workerEnv, process.env));
  if (config === undefined) return 2;
  const logger = createLogger({ name: 'psp-stream-worker', level: config.LOG_LEVEL });
  const worker = await runWorker(config, logger);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight work');
    void worker.stop();
  };
  process.once('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.once('SIGINT', () => {
    shutdown('SIGINT');
  });
  try {
    await worker.done;
    logger.info('worker stopped');
    return 0;
  } catch (error) {
    // Kafka refusing us is reported by main, in one line with its own exit code.
    if (kafkaSecurityFailureOf(error) !== undefined) throw error;
    logger.fatal({ err: error }, 'worker failed');
    return 1;
  }
};
