import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka, Message, Producer } from 'kafkajs';
import { idempotentProducer } from '../src/kafka/client.js';
import { encodePspResultUpdate, type PspResultUpdateEvent } from '../src/codecs/index.js';

/**
 * The load generator: publishes planned events into a fresh topic with the worker's own producer settings
 * (idempotent, Java-compatible partitioner, acks=all), either as fast as it goes (500 messages a send) or
 * at a fixed rate with each event's `eventTime` set to the moment it is sent.
 */
export const benchPartitions = 12;
export const sendSize = 500;
/** Header with the ms-since-epoch at which this copy was sent (a duplicate keeps its first copy's eventTime). */
export const sentAtHeader = 'bench-sent-at';
export const phaseHeader = 'bench-phase';

export const createTopic = async (admin: Admin, topic: string, partitions = benchPartitions): Promise<void> => {
  const created = await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] });
  if (!created) throw new Error(`topic ${topic} already exists: bench topics must be fresh`);
};

export const benchProducer = async (kafka: Kafka): Promise<Producer> => {
  const producer = idempotentProducer(kafka);
  await producer.connect();
  return producer;
};

let traces = 0;
const traceparent = (): string => {
  traces++;
  return `00-${traces.toString(16).padStart(32, '0')}-${traces.toString(16).padStart(16, '0')}-01`;
};

const messageOf = (event: PspResultUpdateEvent, extra: Record<string, string> = {}): Message => {
  const wire = encodePspResultUpdate(event, { traceparent: traceparent() });
  return { key: wire.key, value: wire.value, headers: { ...wire.headers, ...extra } };
};

export interface Produced {
  readonly count: number;
  readonly seconds: number;
  readonly perSecond: number;
}

/** Publishes everything at once, 500 messages per send: the backlog the worker then drains. */
export const produceBacklog = async (
  producer: Producer,
  topic: string,
  events: readonly PspResultUpdateEvent[],
): Promise<Produced> => {
  const t0 = performance.now();
  for (let i = 0; i < events.length; i += sendSize) {
    await producer.send({ topic, acks: -1, messages: events.slice(i, i + sendSize).map((e) => messageOf(e)) });
  }
  const seconds = (performance.now() - t0) / 1000;
  return { count: events.length, seconds, perSecond: events.length / seconds };
};

/**
 * Publishes `events` at `rate` per second: whatever is due is sent in one call, then it sleeps until the
 * next one is due. Each distinct event gets `eventTime` = the time it is first sent.
 */
export const produceAtRate = async (
  producer: Producer,
  topic: string,
  events: readonly PspResultUpdateEvent[],
  rate: number,
  phase: string,
): Promise<Produced> => {
  const stamped = new Map<PspResultUpdateEvent, Date>();
  const t0 = performance.now();
  let sent = 0;
  while (sent < events.length) {
    const elapsed = performance.now() - t0;
    const due = Math.min(events.length, Math.floor((elapsed * rate) / 1000) + 1);
    if (due <= sent) {
      await sleep(Math.max(1, (sent * 1000) / rate - elapsed));
      continue;
    }
    const now = new Date();
    const messages = events.slice(sent, due).map((e) => {
      let eventTime = stamped.get(e);
      if (eventTime === undefined) {
        eventTime = now;
        stamped.set(e, now);
      }
      return messageOf({ ...e, eventTime }, { [sentAtHeader]: String(now.getTime()), [phaseHeader]: phase });
    });
    await producer.send({ topic, acks: -1, messages });
    sent = due;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { count: events.length, seconds, perSecond: events.length / seconds };
};
