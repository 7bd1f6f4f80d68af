import * as E from 'fp-ts/lib/Either.js';
import { MongoClient } from 'mongodb';
import { parseArgs } from 'node:util';
import { decodeEnv, describeEnv } from '../config/env-spec.js';
import { redriveEnv } from '../config/redrive-env.js';
import { createKafka, idempotentProducer, kafkaConnectionOf } from '../kafka/client.js';
import { kafkaSecurityFailureOf } from '../kafka/security-failure.js';
import { redriveDeadLetters, type RedriveCounts, type RedriveRequest } from '../redrive/dead-letter-redrive.js';
import { dlqRedrivesCollection, redriveLedger, type RedriveDocument } from '../redrive/redrive-ledger.js';
import { sendInChunks } from '../kafka/send-in-chunks.js';
import { readPartitionRange } from '../kafka/topic-range-reader.js';
import { createLogger } from '../telemetry/logger.js';
import { orExplainInvalidEnv } from './explain-invalid-env.js';

export const dlqRedriveHelp = `usage: psp-stream dlq redrive [--from-offset N] [--to-offset M] [--reason R] [--dry-run]

Publishes dead letters again to the result topic, as they were first published: original key, value and
headers (without the dlq-* headers), for the worker to apply (for instance after the orders they name were
created, or after a fix). Reads partition 0 of PSP_RESULT_DLQ_TOPIC. Each dead letter is published at most
once across runs: the redriven ones are recorded in MongoDB (collection ${dlqRedrivesCollection}); one whose
run was interrupted before Kafka acknowledged it is published again by the next run, and the worker drops
the duplicate. Prints how many dead letters matched, were redriven, and had been redriven before.

options:
  --from-offset N   first dead-letter offset to consider (default: 0)
  --to-offset M     last dead-letter offset to consider, inclusive (default: the last one now in the topic)
  --reason R        only dead letters whose dlq-reason header is R (e.g. unknown-order, schema-violation)
  --dry-run         count only: publish nothing, record nothing

environment:
${describeEnv(redriveEnv)}`;

const offsetArg = (name: string, raw: string | undefined): E.Either<string, number | undefined> => {
  if (raw === undefined) return E.right(undefined);
  const n = Number(raw);
  return /^\d+$/.test(raw) && Number.isSafeInteger(n) ? E.right(n) : E.left(`--${name} must be an offset (0 or more)`);
};

interface RedriveArgs {
  readonly from: number;
  readonly to: number | undefined;
  readonly reason: string | undefined;
  readonly dryRun: boolean;
}

const redriveArgs = (args: readonly string[]): E.Either<string, RedriveArgs> => {
  const parsed = E.tryCatch(
    () =>
      parseArgs({
        args: [...args],
        options: {
          'from-offset': { type: 'string' },
          'to-offset': { type: 'string' },
          reason: { type: 'string' },
          'dry-run': { type: 'boolean', default: false },
        },
        strict: true,
      }).values,
    (error) => (error instanceof Error ? error.message : String(error)),
  );
  if (E.isLeft(parsed)) return parsed;
  const values = parsed.right;
  const from = offsetArg('from-offset', values['from-offset']);
  const to = offsetArg('to-offset', values['to-offset']);
  if (E.isLeft(from)) return from;
  if (E.isLeft(to)) return to;
  const first = from.right ?? 0;
  if (to.right !== undefined && to.right < first) return E.left('--to-offset must not be below --from-offset');
  if (values.reason?.trim() === '') return E.left('--reason must not be empty');
  return E.right({ from: first, to: to.right, reason: values.reason, dryRun: values['dry-run'] });
};

const report = (request: RedriveRequest, counts: RedriveCounts): string =>
  [
    `${request.dryRun ? 'dry run: ' : ''}${request.dlqTopic}[${request.partition}] -> ${request.targetTopic}` +
      (request.reason === undefined ? '' : ` (reason ${request.reason})`),
    `matched: ${counts.matched}`,
    `${request.dryRun ? 'would be redriven' : 'redriven'}: ${counts.redriven}`,
    `already redriven: ${counts.alreadyRedriven}`,
  ].join('\n');

export const runDlqRedriveCommand = async (args: readonly string[]): Promise<number> => {
  const parsed = redriveArgs(args);
  if (E.isLeft(parsed)) {
    console.error(`dlq redrive: ${parsed.left}`);
    return 2;
  }
  const config = orExplainInvalidEnv(decodeEnv(redriveEnv, process.env));
  if (config === undefined) return 2;
  const logger = createLogger({ name: 'psp-stream-dlq-redrive', level: config.LOG_LEVEL });
  const request: RedriveRequest = {
    dlqTopic: config.PSP_RESULT_DLQ_TOPIC,
    partition: 0,
    targetTopic: config.PSP_RESULT_TOPIC,
    reason: parsed.right.reason,
    dryRun: parsed.right.dryRun,
  };

  const mongo = new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 5_000 });
  const kafka = createKafka(kafkaConnectionOf(config), logger);
  const admin = kafka.admin();
  const producer = idempotentProducer(kafka);
  try {
    await Promise.all([mongo.connect(), admin.connect(), producer.connect()]);
    const result = await redriveDeadLetters(
      request,
      {
        ledger: redriveLedger(mongo.db(config.MONGO_DB).collection<RedriveDocument>(dlqRedrivesCollection)),
        publish: (messages) => () => sendInChunks(producer, request.targetTopic, messages),
        now: () => new Date(),
      },
      (onPage) =>
        readPartitionRange(
          kafka,
          admin,
          { topic: request.dlqTopic, partition: request.partition, from: parsed.right.from, to: parsed.right.to },
          onPage,
        ),
    );
    if (E.isLeft(result)) {
      // Kafka refusing us is reported by main, in one line with its own exit code.
      if (kafkaSecurityFailureOf(result.left.cause) !== undefined) throw result.left.cause;
      console.error(`dlq redrive failed (${result.left.code}): ${result.left.message}`);
      return 1;
    }
    console.log(report(request, result.right));
    return 0;
  } catch (error: unknown) {
    if (kafkaSecurityFailureOf(error) !== undefined) throw error;
    console.error(`dlq redrive failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await Promise.allSettled([producer.disconnect(), admin.disconnect(), mongo.close()]);
  }
};
