import { kafkaServer } from './kafka-server.js';
import { stackLayout } from './layout.js';
import { mongoServer } from './mongo-server.js';
import type { LocalServer } from './service.js';

export interface Endpoints {
  readonly kafkaBrokers: string;
  readonly mongoUrl: string;
}

export interface LocalStack {
  /** The servers this machine must run itself: those whose address the environment does not give. */
  readonly embedded: readonly LocalServer[];
  readonly endpoints: Endpoints;
}

/** `KAFKA_BROKERS` / `MONGO_URL` set means: use those, start nothing for them. */
export const localStack = (env: NodeJS.ProcessEnv = process.env): LocalStack => {
  const layout = stackLayout(env);
  const kafka = kafkaServer(layout);
  const mongo = mongoServer(layout);
  const kafkaBrokers = env['KAFKA_BROKERS'];
  const mongoUrl = env['MONGO_URL'];
  return {
    embedded: [...(kafkaBrokers ? [] : [kafka]), ...(mongoUrl ? [] : [mongo])],
    endpoints: {
      kafkaBrokers: kafkaBrokers || kafka.connectionString,
      mongoUrl: mongoUrl || mongo.connectionString,
    },
  };
};

/** Starts every embedded server not yet running; returns the ones this call started. */
export const startEmbedded = async (stack: LocalStack): Promise<readonly LocalServer[]> => {
  for (const server of stack.embedded) server.install();
  const started = await Promise.all(stack.embedded.map(async (s) => ((await s.start()) ? [s] : [])));
  return started.flat();
};

export const stopServers = async (servers: readonly LocalServer[]): Promise<void> => {
  await Promise.all(servers.map((s) => s.stop()));
};
