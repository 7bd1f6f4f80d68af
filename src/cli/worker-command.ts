import { failureFields } from '../telemetry/failure-fields.js';
import { decodeEnv, describeEnv } from '../config/env-spec.js';
import { workerEnv } from '../config/worker-env.js';
import { kafkaSecurityFailureOf } from '../kafka/security-failure.js';
import { createLogger } from '../telemetry/logger.js';
import { orExplainInvalidEnv } from './explain-invalid-env.js';
import { runWorker } from './run-worker.js';
import { StartUpAborted } from './start-up.js';

export const workerHelp = `usage: psp-stream worker

Runs the PspResultUpdateConsumer: consumes PSP result updates, applies them to payment orders in MongoDB,
dead-letters what cannot be applied, and commits offsets only after the write resolved.
Start-up waits for MongoDB and Kafka (retrying with backoff; /readyz says 503 meanwhile), except when
Kafka refuses the credentials or certificates (exit 3 or 4).
SIGTERM/SIGINT: /readyz turns 503 at once, fetching stops, in-flight work finishes and is committed until
SHUTDOWN_TIMEOUT_MS; what is still unfinished then stays uncommitted and is redelivered to the next owner
(never dead-lettered); the process exits at most a few seconds after that.

environment:
${describeEnv(workerEnv)}`;

/** After SHUTDOWN_TIMEOUT_MS, closing the clients may take this long before the process exits regardless. */
const exitGraceMs = 5_000;

export const runWorkerCommand = async (): Promise<number> => {
  const config = orExplainInvalidEnv(decodeEnv(workerEnv, process.env));
  if (config === undefined) return 2;
  const logger = createLogger({ name: 'psp-stream-worker', level: config.LOG_LEVEL });
  // Signals are handled from the first moment: a stop while starting ends the start-up retries at once.
  const starting = new AbortController();
  let stop: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutting down: draining in-flight work');
    // The last resort, should anything still hang: exit without committing (nothing is lost; it is redelivered).
    setTimeout(() => {
      logger.error('shutdown did not finish in time; exiting without a last commit');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS + exitGraceMs).unref();
    starting.abort();
    void stop?.();
  };
  process.once('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  process.once('SIGINT', () => {
    shutdown('SIGINT');
  });
  try {
    const worker = await runWorker(config, logger, undefined, { signal: starting.signal });
    stop = worker.stop;
    if (starting.signal.aborted) void worker.stop();
    await worker.done;
    logger.info('worker stopped');
    return 0;
  } catch (error) {
    if (error instanceof StartUpAborted) {
      logger.info('stopped while starting');
      return 0;
    }
    // Kafka refusing us is reported by main, in one line with its own exit code.
    if (kafkaSecurityFailureOf(error) !== undefined) throw error;
    logger.fatal(failureFields(error), 'worker failed');
    return 1;
  }
};
