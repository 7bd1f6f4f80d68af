import kafkajs from 'kafkajs';
import { MongoParseError, MongoServerSelectionError } from 'mongodb';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { StartUpAborted, untilStarted } from '../../src/cli/start-up.js';
import { createLogger } from '../../src/telemetry/logger.js';

type Ctor = new (message: string) => Error;
const saslError = (message: string): Error => new (kafkajs.KafkaJSSASLAuthenticationError as unknown as Ctor)(message);
const logger = createLogger({ name: 'test', level: 'silent' });
const fast = { logger, baseMs: 1, capMs: 5, random: () => 0.5 };

describe('start-up retry (untilStarted)', () => {
  it('tries a step again after a timeout until it succeeds, releasing each failed attempt', async () => {
    let attempts = 0;
    let undone = 0;
    const value = await untilStarted(
      'store',
      () => {
        attempts += 1;
        return attempts < 4
          ? Promise.reject(new MongoServerSelectionError('Server selection timed out after 5000 ms', {} as never))
          : Promise.resolve('connected');
      },
      fast,
      () => {
        undone += 1;
        return Promise.resolve();
      },
    );
    expect({ value, attempts, undone }).toEqual({ value: 'connected', attempts: 4, undone: 3 });
  });

  it('logs a first failed attempt as information and every later one as a warning', async () => {
    const lines: { level: number; attempt: number }[] = [];
    const recording = pino(
      { level: 'debug' },
      { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; attempt: number }) },
    );
    let attempts = 0;
    await untilStarted(
      'kafka topics',
      () => {
        attempts += 1;
        return attempts < 3
          ? Promise.reject(new Error('This server does not host this topic-partition'))
          : Promise.resolve();
      },
      { ...fast, logger: recording },
    );
    expect(lines.map((l) => [l.level, l.attempt])).toEqual([
      [30, 1],
      [40, 2],
      [30, undefined], // succeeded after retrying
    ]);
  });

  it('does not retry Kafka refusing the credentials, nor a malformed MongoDB URL', async () => {
    let attempts = 0;
    const refused = untilStarted(
      'kafka producer',
      () => {
        attempts += 1;
        return Promise.reject(saslError('SASL SCRAM-SHA-256 authentication failed'));
      },
      fast,
    );
    await expect(refused).rejects.toThrow('authentication failed');
    await expect(
      untilStarted('store', () => Promise.reject(new MongoParseError('Invalid scheme')), fast),
    ).rejects.toBeInstanceOf(MongoParseError);
    expect(attempts).toBe(1);
  });

  it('ends at once with StartUpAborted when a stop comes, even during a hanging attempt', async () => {
    const stop = new AbortController();
    const hanging = untilStarted('store', () => new Promise<never>(() => undefined), { ...fast, signal: stop.signal });
    setTimeout(() => {
      stop.abort();
    }, 10);
    await expect(hanging).rejects.toBeInstanceOf(StartUpAborted);
  });
});
