import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { serveUntilSignalled, type ServeOptions, type StoppableService } from '../../src/cli/serve-until-signalled.js';
import { StartUpAborted } from '../../src/cli/start-up.js';
import { createLogger } from '../../src/telemetry/logger.js';

const logger = createLogger({ name: 'test', level: 'silent' });

/** A service whose `done` settles when its stop is asked (or never, when `hangs`). */
const service = (hangs = false) => {
  const seen: string[] = [];
  let ended!: () => void;
  const done = new Promise<void>((resolve) => {
    ended = resolve;
  });
  const running: StoppableService = {
    stop: () => {
      seen.push('stop');
      if (!hangs) ended();
      return done;
    },
    done,
  };
  return {
    running,
    seen,
    end: () => {
      ended();
    },
  };
};

const optionsOf = (start: ServeOptions['start'], exits: number[], signals: EventEmitter): ServeOptions => ({
  logger,
  shutdownTimeoutMs: 20,
  exitGraceMs: 20,
  start,
  messages: { shuttingDown: 'stopping', overdue: 'overdue', failed: 'failed' },
  signals: signals as unknown as ServeOptions['signals'],
  exit: (code) => exits.push(code),
});

describe('serveUntilSignalled', () => {
  it('stops the service on SIGTERM and exits 0 once it ended', async () => {
    const signals = new EventEmitter();
    const exits: number[] = [];
    const { running, seen } = service();
    const code = serveUntilSignalled(optionsOf(() => Promise.resolve(running), exits, signals));
    await sleep(1);
    signals.emit('SIGTERM');
    expect(await code).toBe(0);
    expect(seen).toEqual(['stop']);
    expect(exits).toEqual([]);
  });

  it('aborts the start-up on SIGINT while starting, and exits 0', async () => {
    const signals = new EventEmitter();
    const start = (signal: AbortSignal) =>
      new Promise<StoppableService>((_, reject) => {
        signal.addEventListener('abort', () => {
          reject(new StartUpAborted());
        });
      });
    const code = serveUntilSignalled(optionsOf(start, [], signals));
    signals.emit('SIGINT');
    expect(await code).toBe(0);
  });

  it('exits 1 by itself when the stop hangs past the shutdown timeout and the grace', async () => {
    const signals = new EventEmitter();
    const exits: number[] = [];
    const { running, end } = service(true);
    const code = serveUntilSignalled(optionsOf(() => Promise.resolve(running), exits, signals));
    await sleep(1);
    signals.emit('SIGTERM');
    await sleep(80);
    expect(exits).toEqual([1]);
    end();
    await code;
  });

  it('exits 1 when the service fails', async () => {
    const signals = new EventEmitter();
    const code = serveUntilSignalled(
      optionsOf(
        () => Promise.resolve({ stop: () => Promise.resolve(), done: Promise.reject(new Error('boom')) }),
        [],
        signals,
      ),
    );
    expect(await code).toBe(1);
  });
});
