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
  ensureStateIndexes,
  paymentOrdersCollection,
  type PaymentOrderDocument,
} from '../state/index.js';
import { createPaymentOrders } from '../state/payment-order-intake.js';
import type { Logger } from '../telemetry/logger.js';
import type { IntakeTally } from './orders-command.js';
import { outboxRelayBackoff } from './backoffs.js';

/** How often the intake's relay looks for new commands besides the kick after each batch: each look scans the outbox. */
const relayPollMs = 100;

export interface DemoIntake {
  /**
   * Creates orders (NDJSON lines, as `orders create` reads them) through PaymentService's intake, all of
   * them in one batch: three round trips whatever their number, so the intake keeps up with a burst.
   */
  readonly createMany: (lines: readonly string[]) => Promise<void>;
  readonly tally: Readonly<IntakeTally>;
  readonly problems: readonly string[];
  /** Stops the relay after it published every command recorded so far, then closes. */
  readonly close: () => Promise<void>;
}

/**
 * PaymentService's intake as the demo runs it: alongside the flow, in batches of the orders the schedule
 * says are due, with a relay that hands each recorded PaymentOrderCreated to Kafka at once (kicked after
 * every batch, polling every ~20 ms besides) rather than after the last order, as `orders create` does.
 */
export const openDemoIntake = async (config: ConfigOf<typeof ordersEnv>, logger: Logger): Promise<DemoIntake> => {
  const mongo = await new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 5_000 }).connect();
  const db = mongo.db(config.MONGO_DB);
  await ensureStateIndexes(db);
  await ensureOutboxIndexes(db, commandOutboxCollection);
  const outbox = outboxStore(db.collection<OutboxEntry>(commandOutboxCollection));
  const create = createPaymentOrders({
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
  const kick$ = new Subject<void>();
  const relaying = lastValueFrom(
    outboxRelay({
      outbox,
      publish: producerPublish(producer),
      retry: { backoff: outboxRelayBackoff, random: Math.random },
      now: () => new Date(),
      pageSize: 1_000,
      pollIntervalMs: relayPollMs,
      kick$,
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
    createMany: async (lines) => {
      const requests: PaymentOrderRequest[] = [];
      for (const line of lines) {
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
        if (E.isLeft(request)) reject(request.left);
        else requests.push(request.right);
      }
      const results = await create(requests)();
      if (E.isLeft(results)) {
        for (let i = 0; i < requests.length; i++) {
          reject(`store error ${results.left.code}: ${results.left.message}`);
        }
        return;
      }
      kick$.next();
      for (const result of results.right) {
        if (E.isRight(result)) {
          if (result.right._tag === 'Created') tally.created += 1;
          else tally.existing += 1;
        } else {
          reject(`order ${result.left.paymentOrderId} exists with another ${result.left.fields.join(', ')}`);
        }
      }
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
