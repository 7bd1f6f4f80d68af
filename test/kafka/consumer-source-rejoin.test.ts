import { EventEmitter } from 'node:events';
import type { Consumer } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaSource } from '../../src/kafka/consumer-source.js';

/** The part of a kafkajs consumer the source listens to; the test emits its group events. */
const fakeConsumer = () => {
  const emitter = new EventEmitter();
  const consumer = {
    events: { REBALANCING: 'consumer.rebalancing', GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' },
    on: (name: string, listener: (event: unknown) => void) => emitter.on(name, listener),
    subscribe: () => Promise.resolve(),
    run: () => Promise.resolve(),
    pause: () => undefined,
    resume: () => undefined,
    commitOffsets: () => Promise.resolve(),
  } as unknown as Consumer;
  return {
    consumer,
    join: (partitions: number[]) => {
      emitter.emit('consumer.group_join', { payload: { memberAssignment: { t: partitions } } });
    },
    rebalancing: () => {
      emitter.emit('consumer.rebalancing', {});
    },
  };
};

/** What the pipeline would see when it handles each revocation: which revoked partitions it may still commit. */
const ownedAtRevocation = () => {
  const fake = fakeConsumer();
  const source = kafkaSource(fake.consumer, 't', () => 0);
  const seen: string[] = [];
  source.events$.subscribe((e) => {
    if (e._tag === 'Revoked')
      seen.push(e.partitions.map((p) => `${p}:${source.control.owns(p) ? 'owned' : 'lost'}`).join(' '));
  });
  return { ...fake, source, seen };
};

describe('Kafka source: what a revocation may still commit', () => {
  it('a rebalance revokes the partitions while they are still owned: finished work is committed with their generation', () => {
    const s = ownedAtRevocation();
    s.join([0, 1]);
    s.rebalancing();
    s.join([1]);
    expect(s.seen).toEqual(['0:owned 1:owned']);
    expect([s.source.control.owns(0), s.source.control.owns(1)]).toEqual([false, true]);
  });

  it('a join without a rebalance (the coordinator forgot this member) revokes owning nothing: no commit of older work', () => {
    const s = ownedAtRevocation();
    s.join([0, 1]);
    // A long pause: the session ran out, another member held 0 and 1 meanwhile; kafkajs rejoins with no REBALANCING.
    s.join([0, 1]);
    expect(s.seen).toEqual(['0:lost 1:lost']);
    expect([s.source.control.owns(0), s.source.control.owns(1)]).toEqual([true, true]);
  });
});
