import { setTimeout as sleep } from 'node:timers/promises';
import { MongoAPIError, MongoInvalidArgumentError, MongoParseError } from 'mongodb';
import { kafkaSecurityFailureOf } from '../kafka/security-failure.js';
import type { Logger } from '../telemetry/logger.js';

/** Start-up was stopped (SIGTERM/SIGINT) before the process was ready: not a failure. */
export class StartUpAborted extends Error {
  override readonly name = 'StartUpAborted';
  constructor() {
    super('start-up aborted by a stop request');
  }
}

export interface StartUpRetry {
  readonly logger: Logger;
  /** Aborted when a stop is requested while starting: the loop ends at once with `StartUpAborted`. */
  readonly signal?: AbortSignal | undefined;
  /** First pause and longest pause between attempts (default 250 ms, 5 s). */
  readonly baseMs?: number;
  readonly capMs?: number;
  readonly random?: () => number;
}

/**
 * What no retry can mend: Kafka refusing our credentials or certificates (main maps it to exit 3/4) and a
 * malformed MongoDB URL or option. Everything else at start-up (a store or broker that is slow, restarting
 * or not there yet) is waited for.
 */
const isPermanent = (error: unknown): boolean =>
  kafkaSecurityFailureOf(error) !== undefined ||
  error instanceof MongoParseError ||
  error instanceof MongoInvalidArgumentError ||
  error instanceof MongoAPIError;

/** The attempt, or `StartUpAborted` as soon as the signal fires (the attempt's own timeouts may be long). */
const untilAborted = <A>(work: Promise<A>, signal: AbortSignal | undefined): Promise<A> => {
  if (signal === undefined) return work;
  return new Promise<A>((resolve, reject) => {
    const abort = (): void => {
      reject(new StartUpAborted());
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', abort);
    });
  });
};

/**
 * Runs one start-up step until it succeeds: a failure is logged and tried again after an exponential
 * backoff (half fixed, half jitter, capped), for as long as it takes; readiness stays off meanwhile, so an
 * orchestrator sees a starting process rather than a crash loop. `undo` releases what a failed attempt
 * opened (a half-connected client).
 */
export const untilStarted = async <A>(
  step: string,
  attempt: () => Promise<A>,
  opts: StartUpRetry,
  undo?: () => Promise<unknown>,
): Promise<A> => {
  const baseMs = opts.baseMs ?? 250;
  const capMs = opts.capMs ?? 5_000;
  const random = opts.random ?? Math.random;
  for (let n = 1; ; n++) {
    if (opts.signal?.aborted === true) throw new StartUpAborted();
    try {
      const value = await untilAborted(attempt(), opts.signal);
      if (n > 1) opts.logger.info({ step, attempts: n }, 'start-up step succeeded after retrying');
      return value;
    } catch (error) {
      await undo?.().catch(() => undefined);
      if (isPermanent(error) || error instanceof StartUpAborted) throw error;
      const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(n - 1, 20));
      const delayMs = Math.floor(ceiling / 2 + (random() * ceiling) / 2);
      // One failed attempt is the usual race with servers that are themselves starting (a topic created a
      // moment ago): information. A step that keeps failing is what an operator must see.
      opts.logger[n === 1 ? 'info' : 'warn'](
        { step, attempt: n, delayMs, err: error instanceof Error ? error.message : String(error) },
        'start-up step failed; trying again',
      );
      try {
        await sleep(delayMs, undefined, { signal: opts.signal });
      } catch {
        throw new StartUpAborted();
      }
    }
  }
};

// `within` moved to src/operators/within.ts; re-exported for the commands that still import it from here.
export { within } from '../operators/within.js';
