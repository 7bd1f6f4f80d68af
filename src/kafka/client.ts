import { Kafka, logLevel as KafkaLogLevel, Partitioners, type Consumer, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from '../telemetry/logger.js';

export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly clientId: string;
}

const levelOf = (level: KafkaLogLevel): 'error' | 'warn' | 'info' | 'debug' => {
  switch (level) {
    case KafkaLogLevel.ERROR:
    case KafkaLogLevel.NOTHING:
      return 'error';
    case KafkaLogLevel.WARN:
      return 'warn';
    case KafkaLogLevel.INFO:
      return 'info';
    case KafkaLogLevel.DEBUG:
      return 'debug';
  }
};

/** The one place a kafkajs client is made; its log lines go through our logger. */
export const createKafka = (conn: KafkaConnection, logger: Logger): Kafka =>
  new Kafka({
    clientId: conn.clientId,
    brokers: [...conn.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
    logLevel: KafkaLogLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, ...extra } = log;
        // Our own retry layer sits above kafkajs' bounded retries; its warning about them is noise.
        if (message.startsWith('Limiting retries for the idempotent producer')) return;
        logger[levelOf(level)]({ kafka: namespace, ...extra }, message);
      },
  });

/**
 * The producer every psp-stream process publishes with: idempotent with one request in flight (kafkajs'
 * condition for safe sequencing), never creating topics, and Java-compatible murmur2 partitioning, so every
 * producer puts an order's records on the same partition.
 */
export const idempotentProducer = (kafka: Kafka): Producer =>
  kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });

/** A group member; heartbeats at a tenth of the session timeout, fetches wait at most 250 ms for data. */
export const groupConsumer = (
  kafka: Kafka,
  opts: { readonly groupId: string; readonly sessionTimeoutMs: number },
): Consumer =>
  kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: opts.sessionTimeoutMs,
    heartbeatInterval: Math.floor(opts.sessionTimeoutMs / 10),
    maxWaitTimeInMs: 250,
    allowAutoTopicCreation: false,
  });

/** What a worker talks to Kafka with: its producer (dead letters, commands) and its group member, connected. */
export const connectWorkerClients = async (
  kafka: Kafka,
  opts: { readonly groupId: string; readonly sessionTimeoutMs: number },
): Promise<{ readonly producer: Producer; readonly consumer: Consumer }> => {
  const producer = idempotentProducer(kafka);
  await producer.connect();
  const consumer = groupConsumer(kafka, opts);
  await consumer.connect();
  return { producer, consumer };
};
