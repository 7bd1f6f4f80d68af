import * as E from 'fp-ts/lib/Either.js';
import { MongoClient } from 'mongodb';
import { connectionEnv } from '../config/connection-env.js';
import { decodeEnv } from '../config/env-spec.js';
import { createKafka, kafkaConnectionOf } from '../kafka/client.js';
import { ensureTopics, pspResultTopicSpecs } from '../kafka/topics.js';
import { localStack, startEmbedded, stopServers } from '../stack/local-stack.js';
import { createLogger } from '../telemetry/logger.js';

export const stackHelp = `usage: psp-stream stack <up|down|status>

  up      fetch (first time only) and start the local Kafka broker and MongoDB stand-in that the
          environment does not already provide, wait until both answer, create the topics, and print
          the connection strings. Running it again starts nothing new.
  down    stop the local servers this project started (by pid file).
  status  print which local servers run, with their pids.

KAFKA_BROKERS / MONGO_URL set means: use those, start nothing for them.`;

/** The stack is ready when the broker serves admin requests (topics exist) and the store answers `ping`. */
export const provision = async (endpoints: { kafkaBrokers: string; mongoUrl: string }): Promise<void> => {
  const config = decodeEnv(connectionEnv, {
    ...process.env,
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    MONGO_URL: endpoints.mongoUrl,
  });
  if (E.isLeft(config)) throw new Error(config.left.problems.join('\n'));
  const c = config.right;
  const logger = createLogger({ name: 'psp-stream-stack', level: 'error' });
  const admin = createKafka(kafkaConnectionOf(c), logger).admin();
  const mongo = new MongoClient(c.MONGO_URL, { serverSelectionTimeoutMS: 30_000 });
  try {
    await admin.connect();
    await ensureTopics(admin, pspResultTopicSpecs(c));
    await mongo.db(c.MONGO_DB).command({ ping: 1 });
  } finally {
    await Promise.allSettled([admin.disconnect(), mongo.close()]);
  }
};

export const runStackCommand = async (action: string | undefined): Promise<number> => {
  const stack = localStack();
  switch (action) {
    case undefined:
      console.error(stackHelp);
      return 2;
    case 'up': {
      const t0 = Date.now();
      const started = await startEmbedded(stack);
      await provision(stack.endpoints);
      const names = started.map((s) => s.name).join(', ') || 'nothing (already running or configured)';
      console.log(`started: ${names} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      console.log(`KAFKA_BROKERS=${stack.endpoints.kafkaBrokers}`);
      console.log(`MONGO_URL=${stack.endpoints.mongoUrl}`);
      return 0;
    }
    case 'down': {
      const running = stack.embedded.filter((s) => s.pid() !== undefined);
      await stopServers(running);
      console.log(`stopped: ${running.map((s) => s.name).join(', ') || 'nothing was running'}`);
      return 0;
    }
    case 'status': {
      for (const s of stack.embedded) {
        const pid = s.pid();
        console.log(
          `${s.name.padEnd(6)} ${pid === undefined ? 'stopped' : `running (pid ${pid})`}  ${s.connectionString}`,
        );
      }
      if (stack.embedded.length < 2) console.log('(the rest is configured by KAFKA_BROKERS / MONGO_URL)');
      return 0;
    }
    default:
      console.error(stackHelp);
      return 2;
  }
};
