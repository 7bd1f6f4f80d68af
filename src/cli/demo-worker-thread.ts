/**
 * The demo's worker on a thread of its own (`demo-worker.ts` starts it): PspResultUpdateConsumer runs as a
 * service apart from the executor in production, and here it gets a core apart from the executor, the
 * intake and both relays, which share the demo's main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeEnv } from '../config/env-spec.js';
import { demoEnv } from './demo-args.js';
import { demoLogger } from './demo-logger.js';
import { seenResultOf, type SeenResult } from './demo-recorder.js';
import { runWorker } from './run-worker.js';
import type { DemoWorkerData, FromDemoWorker, ToDemoWorker } from './demo-worker.js';

/** Results go to the main thread in batches this often: a message per result would cost more than the result. */
const postEveryMs = 20;

const port = parentPort;
if (port === null) throw new Error('demo-worker-thread runs as a worker thread only');
const post = (message: FromDemoWorker): void => {
  port.postMessage(message);
};

const data = workerData as DemoWorkerData;
const config = decodeEnv(demoEnv, data.env);
if (config._tag === 'Left') throw new Error(config.left.problems.join('\n'));
const logger = demoLogger(config.right.LOG_LEVEL, data.logFile);

let seen: SeenResult[] = [];
const flush = (): void => {
  if (seen.length === 0) return;
  post({ type: 'seen', results: seen });
  seen = [];
};
const flushing = setInterval(flush, postEveryMs);

const errorText = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));

try {
  const worker = await runWorker(config.right, logger, (p, latencyMs) => {
    seen.push(seenResultOf(p, latencyMs));
  });
  // The one message a thread gets: stop.
  port.once('message', (_: ToDemoWorker) => {
    void worker.stop();
  });
  post({ type: 'started', metricsPort: worker.metricsPort });
  const ended = await worker.done.then(
    () => undefined,
    (error: unknown) => errorText(error),
  );
  clearInterval(flushing);
  flush();
  post({ type: 'done', ...(ended === undefined ? {} : { error: ended }) });
} catch (error) {
  clearInterval(flushing);
  post({ type: 'failed', error: errorText(error) });
}
