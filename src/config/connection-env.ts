import { brokerList, intInRange, mongoUrl, nonEmptyTrimmed } from './env-codecs.js';
import { envVar } from './env-spec.js';
import { kafkaSecurityEnv } from './kafka-security-env.js';

/** What every psp-stream process needs to reach Kafka and the store. */
export const connectionEnv = {
  KAFKA_BROKERS: envVar({ codec: brokerList, description: 'Kafka bootstrap brokers, comma-separated host:port' }),
  KAFKA_CLIENT_ID: envVar({ codec: nonEmptyTrimmed, fallback: 'psp-stream', description: 'Kafka client id' }),
  ...kafkaSecurityEnv,
  MONGO_URL: envVar({ codec: mongoUrl, description: 'MongoDB connection string', secret: true }),
  MONGO_DB: envVar({ codec: nonEmptyTrimmed, fallback: 'psp', description: 'MongoDB database name' }),
  PSP_RESULT_TOPIC: envVar({
    codec: nonEmptyTrimmed,
    fallback: 'psp-result-updates',
    description: 'topic of PSP result updates',
  }),
  PSP_RESULT_DLQ_TOPIC: envVar({
    codec: nonEmptyTrimmed,
    fallback: 'psp-result-updates.dlq',
    description: 'dead-letter topic for results that cannot be applied',
  }),
  PSP_RESULT_PARTITIONS: envVar({
    codec: intInRange(1, 1000),
    fallback: '12',
    description: 'partitions of the result topic when psp-stream creates it',
  }),
};
