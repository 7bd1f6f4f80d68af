import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import * as J from 'fp-ts/lib/Json.js';
import { pipe } from 'fp-ts/lib/function.js';
import { MongoClient } from 'mongodb';
import { PaymentOrderRequest, describeSchemaErrors } from '../codecs/index.js';
import { decodeEnv, describeEnv, type ConfigOf } from '../config/env-spec.js';
import { ordersEnv } from '../config/orders-env.js';
import { createKafka, idempotentProducer, kafkaConnectionOf } from '../kafka/client.js';
import { producerPublish } from '../kafka/producer-publish.js';
import { ensureTopics } from '../kafka/topics.js';
import type { OutboxEntry } from '../outbox/outbox-entry.js';
import { drainOutbox } from '../outbox/outbox-relay.js';
import { ensureOutboxIndexes, outboxStore } from '../outbox/outbox-store.js';
import { lastValueFrom, toArray } from 'rxjs';
import {
  commandOutboxCollection,
  createPaymentOrder,
  ensureStateIndexes,
  paymentOrdersCollection,
  type PaymentOrderDocument,
} from '../state/index.js';
import { seededRandom } from '../publisher/psp/index.js';
import { orExplainInvalidEnv } from './explain-invalid-env.js';
import { createLogger } from '../telemetry/logger.js';
import { outboxRelayBackoff } from './backoffs.js';

export const ordersHelp = `usage: psp-stream orders create [--file F | --count N [--seed S] [--prefix P]]

Creates payment orders through PaymentService's intake: each is inserted in INITIATED with a "created"
audit entry, and its first command (PaymentOrderCreated) goes to the command topic through the outbox.
Creating the same order again is a no-op; the same id with other content is rejected as a conflict.

input (one JSON object a line, from stdin unless --file is given):
  {"paymentOrderId": "order-1", "amount": 1999, "currency": "EUR", "psp": "stripe", "merchantId": "m-1"}
  amount in minor units (a safe integer > 0), currency ISO 4217, psp stripe or adyen.

options:
  --file F     read NDJSON from F
  --count N    generate N realistic orders instead (with --seed S, default 1, and --prefix P, default order-S)

Prints created / already existing / rejected counts; exits 1 if any line was rejected.

environment:
${describeEnv(ordersEnv)}`;

/** Realistic orders: amounts from coffee to furniture, mostly EUR, both PSPs. */
export function* generatedOrders(count: number, seed: number, prefix: string): Generator<string> {
  const random = seededRandom(seed);
  const currencies = ['EUR', 'EUR', 'EUR', 'USD', 'GBP', 'SEK'];
  for (let i = 0; i < count; i++) {
    const amount = Math.max(50, Math.round(Math.exp(random() * 11)));
    yield JSON.stringify({
      paymentOrderId: `${prefix}-${i}`,
      amount,
      currency: currencies[Math.floor(random() * currencies.length)],
      psp: random() < 0.5 ? 'stripe' : 'adyen',
      merchantId: `merchant-${Math.floor(random() * 20)}`,
    });
  }
}

async function* linesOf(file: string | undefined): AsyncGenerator<string> {
  const input = file === undefined ? process.stdin : createReadStream(file);
  for await (const line of createInterface({ input, crlfDelay: Infinity })) yield line;
}

export interface IntakeTally {
  created: number;
  existing: number;
  rejected: number;
}

/** Creates the orders of an NDJSON stream; a bad line is reported with its number and the rest go on. */
export const createOrders = async (
  config: ConfigOf<typeof ordersEnv>,
  lines: AsyncIterable<string> | Iterable<string>,
  report: (line: string) => void,
): Promise<IntakeTally> => {
  const mongo = await new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 5_000 }).connect();
  const logger = createLogger({ name: 'psp-stream-orders', level: 'warn' });
  const kafka = createKafka(kafkaConnectionOf(config, '-orders'), logger);
  const producer = idempotentProducer(kafka);
  try {
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
    const tally: IntakeTally = { created: 0, existing: 0, rejected: 0 };
    let lineNumber = 0;
    const inFlight = new Set<Promise<void>>();
    const handle = async (text: string, n: number): Promise<void> => {
      const request = pipe(
        J.parse(text),
        E.mapLeft(() => 'not valid JSON'),
        E.flatMap((json) =>
          pipe(
            PaymentOrderRequest.decode(json),
            E.mapLeft((errors) => describeSchemaErrors(errors).join('; ')),
          ),
        ),
      );
      if (E.isLeft(request)) {
        tally.rejected += 1;
        report(`line ${n}: ${request.left}`);
        return;
      }
      const result = await create(request.right)();
      if (E.isRight(result)) {
        if (result.right._tag === 'Created') tally.created += 1;
        else tally.existing += 1;
        return;
      }
      tally.rejected += 1;
      const error = result.left;
      report(
        error._tag === 'Conflict'
          ? `line ${n}: order ${error.paymentOrderId} exists with another ${error.fields.join(', ')}`
          : `line ${n}: store error ${error.code}: ${error.message}`,
      );
    };
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      const p = handle(line, lineNumber).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 32) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);

    // Hand the commands to Kafka now, rather than wait for a worker's relay.
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic: config.PSP_COMMAND_TOPIC, partitions: config.PSP_RESULT_PARTITIONS }]);
    await admin.disconnect();
    await producer.connect();
    await lastValueFrom(
      drainOutbox({
        outbox,
        publish: producerPublish(producer),
        retry: { backoff: outboxRelayBackoff, random: Math.random },
        now: () => new Date(),
        pageSize: 500,
      }).pipe(toArray()),
    );
    return tally;
  } finally {
    await Promise.allSettled([producer.disconnect(), mongo.close()]);
  }
};

export const runOrdersCommand = async (args: readonly string[]): Promise<number> => {
  const [action, ...rest] = args;
  if (action !== 'create') {
    console.error(ordersHelp);
    return 2;
  }
  const parsed = parseArgs({
    args: [...rest],
    options: {
      file: { type: 'string' },
      count: { type: 'string' },
      seed: { type: 'string', default: '1' },
      prefix: { type: 'string' },
    },
    strict: true,
  });
  const count = parsed.values.count === undefined ? undefined : Number(parsed.values.count);
  const seed = Number(parsed.values.seed);
  if ((count !== undefined && (!Number.isSafeInteger(count) || count < 1)) || !Number.isSafeInteger(seed)) {
    console.error('orders create: --count must be a positive integer and --seed an integer');
    return 2;
  }
  const config = orExplainInvalidEnv(decodeEnv(ordersEnv, process.env));
  if (config === undefined) return 2;
  const lines =
    count === undefined
      ? linesOf(parsed.values.file)
      : generatedOrders(count, seed, parsed.values.prefix ?? `order-${seed}`);
  const tally = await createOrders(config, lines, (line) => {
    console.error(line);
  });
  console.log(`created ${tally.created}, already existing ${tally.existing}, rejected ${tally.rejected}`);
  return tally.rejected > 0 ? 1 : 0;
};
