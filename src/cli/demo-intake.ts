import * as E from 'fp-ts/lib/Either.js';
import * as J from 'fp-ts/lib/Json.js';
import { pipe } from 'fp-ts/lib/function.js';
import { MongoClient } from 'mongodb';
import { Subject, lastValueFrom, toArray } from 'rxjs';
import { PaymentOrderRequest, describeSchemaErrors } from '../codecs/index.js';
import type { ConfigOf } from '../config/env-spec.js';
import type { ordersEnv } from '../config/orders-env.js';
import { createKafka, idempotentProducer, kafkaConnectionOf } from '../kafka/client.js';
import { producerPublish } from '../kafka/producer-publish.js';
import type { OutboxEntry } from '../outbox/outbox-entry.js';
import { outboxRelay } from '../outbox/outbox-relay.js';
import { ensureOutboxIndexes, outboxStore } from '../outbox/outbox-store.js';
import {
  commandOutboxCollection,
  createPaymentOrder,
  ensureStateIndexes,
  paymentOrdersCollection,
  type PaymentOrderDocument,
} from '../state/index.js';
import type { Logger } from '../telemetry/logger.js';
import type { IntakeTally } from './orders-command.js';

/** How often the intake's relay looks for new commands: short, so a created order is on its way at once. */
const relayPollMs = 20;

export interface DemoIntake {
  /** Creates one order (an NDJSON line, as `orders create` reads it) through PaymentService's intake. */
  readonly create: (line: string) => Promise<void>;
  readonly tally: Readonly<IntakeTally>;
  readonly problems: readonly string[];
  /** Stops the relay after it published every command recorded so far, then closes. */
  readonly close: () => Promise<void>;
}

/**
 * PaymentService's intake as the demo runs it: alongside the flow, one order at a time as the schedule
 * says, with a relay that hands each recorded PaymentOrderCreated to Kafka within ~20 ms (rather than
 * after the last order, as `orders create` does for a file).
 */
export const openDemoIntake = async (config: ConfigOf<typeof ordersEnv>, logger: Logger): Promise<DemoIntake> => {
  const mongo = await new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 5_000 }).connect();
  const db = mongo.db(config.MONGO_DB);
  await ensureStateIndexes(db);
  await ensureOutboxIndexes(db, commandOutboxCollection);
  const outbox = outboxStore(db.collection<OutboxEntry>(commandOutboxCollection));
  const create = createPaymentOrder({
    orders: db.collection<PaymentOrderDocument>(paymentOrdersCollection),
    outbox,
    commandTopic: config.PSP_COMMAND_TOPIC,
    now: () => new Date(),
    commandGraceMs: config.COMMAND_GRACE_MS,
  });
  const kafka = createKafka(
    { ...kafkaConnectionOf(config), clientId: `${config.KAFKA_CLIENT_ID}-demo-intake` },
    logger,
  );
  const producer = idempotentProducer(kafka);
  await producer.connect();
  const stop$ = new Subject<void>();
  const relaying = lastValueFrom(
    outboxRelay({
      outbox,
      publish: producerPublish(producer),
      retry: { backoff: { baseMs: 100, capMs: 5_000 }, random: Math.random },
      now: () => new Date(),
      pageSize: 500,
      pollIntervalMs: relayPollMs,
      kick$: new Subject<void>(),
      stop$,
    }).pipe(toArray()),
    { defaultValue: [] },
  );

  const tally: IntakeTally = { created: 0, existing: 0, rejected: 0 };
  const problems: string[] = [];
  const reject = (why: string): void => {
    tally.rejected += 1;
    if (problems.length < 10) problems.push(why);
  };
  return {
    tally,
    problems,
    create: async (line) => {
      const request = pipe(
        J.parse(line),
        E.mapLeft(() => 'not valid JSON'),
        E.flatMap((json) =>
          pipe(
            PaymentOrderRequest.decode(json),
            E.mapLeft((errors) => describeSchemaErrors(errors).join('; ')),
          ),
        ),
      );
      if (E.isLeft(request)) {
        reject(request.left);
        return;
      }
      const result = await create(request.right)();
      if (E.isRight(result)) {
        if (result.right._tag === 'Created') tally.created += 1;
        else tally.existing += 1;
        return;
      }
      const error = result.left;
      reject(
        error._tag === 'Conflict'
          ? `order ${error.paymentOrderId} exists with another ${error.fields.join(', ')}`
          : `store error ${error.code}: ${error.message}`,
      );
    },
    close: async () => {
      stop$.next();
      await relaying.catch((error: unknown) => {
        logger.error({ err: error }, 'demo intake relay stopped with an error');
      });
      await Promise.allSettled([producer.disconnect(), mongo.close()]);
    },
  };
};
