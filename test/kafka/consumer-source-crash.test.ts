import { EventEmitter } from 'node:events';
import kafkajs, { type Consumer } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { kafkaSource } from '../../src/kafka/consumer-source.js';
import type { SourceEvent } from '../../src/streams/consumed-message.js';

const { KafkaJSGroupCoordinatorNotFound, KafkaJSNonRetriableError, KafkaJSSASLAuthenticationError } = kafkajs;

// kafkajs' type declarations omit constructor arguments its classes take (src/errors.js).
const make = (Class: unknown, ...args: unknown[]): Error => new (Class as new (...a: unknown[]) => Error)(...args);
const coordinatorNotFound = (): Error => make(KafkaJSGroupCoordinatorNotFound, 'Failed to find group coordinator');
/** kafkajs' retrier wraps what it will not retry this way (src/retry/index.js), then the runner crashes with it. */
const asKafkaJsGaveUp = (e: Error): Error => make(KafkaJSNonRetriableError, e, { cause: e });

/** The part of a kafkajs consumer the source uses; events are emitted by the test, as kafkajs' runner would. */
const fakeConsumer = () => {
  const emitter = new EventEmitter();
  const runs: unknown[] = [];
  const consumer = {
    events: { REBALANCING: 'consumer.rebalancing', GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
    on: (name: string, listener: (event: unknown) => void) => emitter.on(name, listener),
    subscribe: () => Promise.resolve(),
    run: (config: unknown) => {
      runs.push(config);
      return Promise.resolve();
    },
    pause: () => undefined,
    resume: () => undefined,
    commitOffsets: () => Promise.resolve(),
  } as unknown as Consumer;
  const join = (partitions: number[]): void => {
    emitter.emit('consumer.group_join', { payload: { memberAssignment: { t: partitions } } });
  };
  // kafkajs' onCrash: it has stopped and disconnected the consumer, then emits CRASH with its verdict.
  const crash = (error: Error, restart: boolean): void => {
    emitter.emit('consumer.crash', { payload: { error, groupId: 'g', restart } });
  };
  return { consumer, runs, join, crash };
};

const started = async () => {
  const fake = fakeConsumer();
  const source = kafkaSource(fake.consumer, 't', () => 0);
  const seen: SourceEvent[] = [];
  const outcome: { error?: unknown; complete?: boolean } = {};
  source.events$.subscribe({
    next: (e) => seen.push(e),
    error: (error: unknown) => {
      outcome.error = error;
    },
    complete: () => {
      outcome.complete = true;
    },
  });
  await vi.advanceTimersByTimeAsync(0);
  expect(fake.runs).toHaveLength(1);
  fake.join([0, 1]);
  expect(source.joined()).toBe(true);
  return { ...fake, source, seen, outcome };
};

describe('Kafka source: a crash kafkajs will not restart from', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('"Failed to find group coordinator" after a broker restart does not end the source: it runs the consumer again', async () => {
    const s = await started();
    s.crash(asKafkaJsGaveUp(coordinatorNotFound()), false);
    expect(s.outcome.error).toBeUndefined();
    // Nothing is owned until the next join: not ready, finished work revoked, no commit sent meanwhile.
    expect(s.source.joined()).toBe(false);
    expect(s.seen).toContainEqual({ _tag: 'Revoked', partitions: [0, 1] });
    expect(s.source.control.owns(0)).toBe(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(s.runs).toHaveLength(2);
    // The broker is still coming back: the next run fails the same way (kafkajs' runner.start path, unwrapped).
    s.crash(coordinatorNotFound(), false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(s.runs).toHaveLength(3);
    s.join([1]);
    expect(s.source.joined()).toBe(true);
    expect(s.source.control.owns(1)).toBe(true);
    expect(s.outcome.error).toBeUndefined();
  });

  it('leaves a crash kafkajs restarts from to kafkajs', async () => {
    const s = await started();
    s.crash(asKafkaJsGaveUp(new Error('x')), true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.runs).toHaveLength(1);
    expect(s.outcome.error).toBeUndefined();
    expect(s.source.joined()).toBe(false);
  });

  it('still ends on an error of our own (a bug in the handler) and on Kafka refusing our credentials', async () => {
    const bug = await started();
    bug.crash(asKafkaJsGaveUp(new TypeError('headers is not iterable')), false);
    expect(bug.outcome.error).toBeInstanceOf(Error);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(bug.runs).toHaveLength(1);

    const refused = await started();
    refused.crash(asKafkaJsGaveUp(make(KafkaJSSASLAuthenticationError, 'SASL PLAIN authentication failed')), false);
    expect(refused.outcome.error).toBeInstanceOf(Error);
  });

  it('does not run again once stopped, nor once the pipeline is gone', async () => {
    const s = await started();
    await s.source.stop();
    s.crash(coordinatorNotFound(), false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.runs).toHaveLength(1);

    // A crash, then the pipeline ends for another reason (run-worker disconnects the consumer) before the rerun.
    const fake = fakeConsumer();
    const source = kafkaSource(fake.consumer, 't', () => 0);
    const subscription = source.events$.subscribe({ error: () => undefined });
    await vi.advanceTimersByTimeAsync(0);
    fake.join([0]);
    fake.crash(coordinatorNotFound(), false);
    subscription.unsubscribe();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fake.runs).toHaveLength(1);
  });
});
