import { decodeEnv, describeEnv } from '../config/env-spec.js';
import { workerEnv } from '../config/worker-env.js';
import { createLogger } from '../telemetry/logger.js';
import { orExplainInvalidEnv } from './explain-invalid-env.js';
import { runWorker } from './run-worker.js';
import { serveUntilSignalled } from './serve-until-signalled.js';

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

export const runWorkerCommand = async (): Promise<number> => {
  const config = orExplainInvalidEnv(decodeEnv(workerEnv, process.env));
  if (config === undefined) return 2;
  const logger = createLogger({ name: 'psp-stream-worker', level: config.LOG_LEVEL });
  return serveUntilSignalled({
    logger,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    start: (signal) => runWorker(config, logger, undefined, { signal }),
    messages: {
      shuttingDown: 'shutting down: draining in-flight work',
      // Exits without committing: nothing is lost, it is redelivered.
      overdue: 'shutdown did not finish in time; exiting without a last commit',
      stopped: 'worker stopped',
      stoppedWhileStarting: 'stopped while starting',
      failed: 'worker failed',
    },
  });
};
