import { MongoClient } from 'mongodb';
import { PaymentOrderId, paymentOrderIdMaxLength } from '../codecs/index.js';
import { decodeEnv, describeEnv } from '../config/env-spec.js';
import { connectionEnv } from '../config/connection-env.js';
import {
  auditTrail,
  labelOfRecorded,
  paymentOrdersCollection,
  type AuditLine,
  type PaymentOrderDocument,
} from '../state/index.js';
import { orExplainInvalidEnv } from './explain-invalid-env.js';

export const auditHelp = `usage: psp-stream audit <paymentOrderId>

Prints a payment order's audit trail: every transition with its time, from → to, event key, the Kafka
record it came from (topic/partition/offset), its trace id and outcome (named as the outcome label of
psp_results_processed_total); and every command dispatch.

environment:
${describeEnv(connectionEnv)}`;

/** One line of the audit trail. A result's outcome is shown by its label, whichever way its entry spells it. */
const describe = (line: AuditLine): string => {
  const head = `${line.appliedAt.toISOString()}  ${(line.from ?? '-').padEnd(15)} → ${line.to.padEnd(15)}`;
  switch (line.kind) {
    case 'created':
      return `${head} created`;
    case 'psp-result':
      return `${head} ${line.pspStatus} ${labelOfRecorded(line.outcome)} key=${line.key} at ${line.topic}/${line.partition}/${line.offset}${line.traceId === undefined ? '' : ` trace=${line.traceId}`}${line.reason === undefined ? '' : ` (${line.reason})`}`;
    case 'claim':
    case 'dispatch':
      return `${head} ${line.kind} ${line.command} ${line.commandKey} (due ${line.dueAt.toISOString()})`;
  }
};

/** What `audit` prints for an order: a heading, then its audit trail a line an entry. */
export const auditReport = (doc: PaymentOrderDocument): readonly string[] => [
  `${doc._id}: ${doc.status}, ${doc.attempts} attempts, version ${doc.version}${doc.pspReference === undefined ? '' : `, psp reference ${doc.pspReference}`}`,
  ...auditTrail(doc).map(describe),
];

export const runAuditCommand = async (args: readonly string[]): Promise<number> => {
  const [given] = args;
  if (given === undefined || given === '') {
    console.error(auditHelp);
    return 2;
  }
  if (!PaymentOrderId.is(given)) {
    console.error(
      `audit: "${given.slice(0, 80)}" is not a payment order id (1 to ${paymentOrderIdMaxLength} characters)`,
    );
    return 2;
  }
  const id = given;
  const config = orExplainInvalidEnv(decodeEnv(connectionEnv, process.env));
  if (config === undefined) return 2;
  const mongo = await new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 5_000 }).connect();
  try {
    const doc = await mongo
      .db(config.MONGO_DB)
      .collection<PaymentOrderDocument>(paymentOrdersCollection)
      .findOne({ _id: id });
    if (doc === null) {
      console.error(`no payment order ${id}`);
      return 1;
    }
    for (const line of auditReport(doc)) console.log(line);
    return 0;
  } finally {
    await mongo.close();
  }
};
