import { Kafka, logLevel as KafkaLogLevel, Partitioners, type Consumer, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from '../telemetry/logger.js';
import { kafkaJsSecurity, type KafkaSecurityConfig } from './kafka-security.js';

export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** TLS and SASL, as the KAFKA_SSL_* / KAFKA_SASL_* variables say; absent: plaintext, no authentication. */
  readonly security?: KafkaSecurityConfig;
}

/** A process's connection from its decoded configuration (every command's includes the security variables). */
export const kafkaConnectionOf = (
  config: KafkaSecurityConfig & { readonly KAFKA_BROKERS: readonly string[]; readonly KAFKA_CLIENT_ID: string },
  clientIdSuffix = '',
): KafkaConnection => ({
  brokers: config.KAFKA_BROKERS,
  clientId: `${config.KAFKA_CLIENT_ID}${clientIdSuffix}`,
  security: config,
});

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

/**
 * kafkajs' words for a coordinator being loaded or moved, for a group rebalancing, for a topic another
 * process created first (kafkajs logs the CreateTopics response as an error, then returns; any other
 * creation error is thrown to the caller, which reports it), for a topic just created whose partitions a
 * metadata request does not see yet (retried by kafkajs, else thrown to the caller), and for a transaction
 * begun while the one before is still being completed by the broker (CONCURRENT_TRANSACTIONS, retried by
 * kafkajs).
 */
export const expectedCondition =
  /coordinator is loading|group coordinator is not available|not the correct coordinator|rebalanc|topic creation errors|Response Metadata.*does not host this topic-partition|another concurrent operation on the same transaction/i;

/** The one place a kafkajs client is made; its log lines go through our logger, its TLS and SASL from `security`. */
export const createKafka = (conn: KafkaConnection, logger: Logger): Kafka => {
  if (conn.security?.KAFKA_SSL === true && !conn.security.KAFKA_SSL_REJECT_UNAUTHORIZED) {
    logger.warn("KAFKA_SSL_REJECT_UNAUTHORIZED=false: the brokers' certificates are not verified");
  }
  return new Kafka({
    clientId: conn.clientId,
    brokers: [...conn.brokers],
    ...(conn.security === undefined ? {} : kafkaJsSecurity(conn.security)),
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
        const detail = typeof extra['error'] === 'string' ? extra['error'] : '';
        // Conditions a fresh or changing cluster always goes through, which kafkajs retries by itself:
        // logged as what they are (information), not as errors an operator must act on.
        const routine = level <= KafkaLogLevel.WARN && expectedCondition.test(`${message} ${detail}`);
        logger[routine ? 'info' : levelOf(level)]({ kafka: namespace, ...extra }, message);
      },
  });
};

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
    // About a lane's in-flight bound of records per partition and fetch: a larger fetch is mostly cut by the
    // pause, and kafkajs fetches and decodes the rest again after the resume (each record decoded ~3 times at
    // the default 1 MiB). A larger record still comes whole (KIP-74).
    maxBytesPerPartition: 256 * 1024,
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
