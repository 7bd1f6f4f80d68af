import { kafkaSecurityFailureOf } from '../kafka/security-failure.js';
import { failureFields } from '../telemetry/failure-fields.js';
import type { Logger } from '../telemetry/logger.js';
import { StartUpAborted } from './start-up.js';

/** After SHUTDOWN_TIMEOUT_MS, closing the clients may take this long before the process exits regardless. */
export const exitGraceMs = 5_000;

/** A service once started: `stop` is its bounded stop (see `boundedRun`), `done` settles when it ended. */
export interface StoppableService {
  readonly stop: () => Promise<void>;
  readonly done: Promise<void>;
}

export interface ServeOptions {
  readonly logger: Logger;
  readonly shutdownTimeoutMs: number;
  /** Starts the service; `signal` aborts its start-up (a stop while starting). */
  readonly start: (signal: AbortSignal) => Promise<StoppableService>;
  /** The log lines of its life: a signal received, the last resort taken, its end. */
  readonly messages: {
    readonly shuttingDown: string;
    readonly overdue: string;
    readonly failed: string;
    readonly stopped?: string | undefined;
    readonly stoppedWhileStarting?: string | undefined;
  };
  /** Where SIGTERM and SIGINT come from, and how the process exits for good: this process unless given. */
  readonly signals?: Pick<NodeJS.Process, 'once'> | undefined;
  readonly exit?: ((code: number) => void) | undefined;
  readonly exitGraceMs?: number | undefined;
}

/**
 * Runs a service until it ends or SIGTERM/SIGINT stops it; resolves to the exit code. Signals are handled
 * from the first moment: a stop while starting ends the start-up retries at once. Should the stop hang past
 * SHUTDOWN_TIMEOUT_MS and the grace to close the clients, the process exits with 1: nothing is lost (what was
 * unfinished is uncommitted and redelivered). Kafka refusing our credentials is thrown, for main to report.
 */
export const serveUntilSignalled = async (opts: ServeOptions): Promise<number> => {
  const { logger, messages } = opts;
  const signals = opts.signals ?? process;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const starting = new AbortController();
  // The service's stop, once it started; set by the first signal.
  let stop: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, shutdownTimeoutMs: opts.shutdownTimeoutMs }, messages.shuttingDown);
    // The last resort, should anything still hang.
    setTimeout(
      () => {
        logger.error(messages.overdue);
        exit(1);
      },
      opts.shutdownTimeoutMs + (opts.exitGraceMs ?? exitGraceMs),
    ).unref();
    starting.abort();
    void stop?.();
  };
  signals.once('SIGTERM', () => {
    shutdown('SIGTERM');
  });
  signals.once('SIGINT', () => {
    shutdown('SIGINT');
  });
  try {
    const service = await opts.start(starting.signal);
    stop = service.stop;
    if (starting.signal.aborted) void service.stop();
    await service.done;
    if (messages.stopped !== undefined) logger.info(messages.stopped);
    return 0;
  } catch (error) {
    if (error instanceof StartUpAborted) {
      if (messages.stoppedWhileStarting !== undefined) logger.info(messages.stoppedWhileStarting);
      return 0;
    }
    // Kafka refusing us is reported by main, in one line with its own exit code.
    if (kafkaSecurityFailureOf(error) !== undefined) throw error;
    logger.fatal(failureFields(error), messages.failed);
    return 1;
  }
};
