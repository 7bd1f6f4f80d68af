import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { Message } from 'kafkajs';
import { headerValue } from '../codecs/index.js';
import type { StoreError } from '../state/store-error.js';
import { deadLetterHeaders, springDeadLetterHeaders } from '../kafka/dead-letter-publisher.js';
import type { KafkaError } from '../kafka/kafka-error.js';
import { redriveIdOf, type RedriveDocument, type RedriveLedger } from './redrive-ledger.js';
import type { StoredRecord } from '../kafka/topic-range-reader.js';

export interface RedriveRequest {
  readonly dlqTopic: string;
  readonly partition: number;
  readonly targetTopic: string;
  /** Only dead letters with this `dlq-reason`; all of them when absent. */
  readonly reason?: string | undefined;
  /** Count only: neither the ledger nor the target topic is written. */
  readonly dryRun: boolean;
}

export interface RedriveCounts {
  /** Dead letters in the range that pass the reason filter. */
  readonly matched: number;
  /** Published to the target topic by this run (or, in a dry run, that would be). */
  readonly redriven: number;
  /** Skipped: an earlier run's publication was acknowledged. */
  readonly alreadyRedriven: number;
}

export type RedriveError = StoreError | KafkaError;

export interface RedriveDeps {
  readonly ledger: RedriveLedger;
  /** Publishes to the target topic, in order, acknowledged; the records keep their keys' partitions. */
  readonly publish: (messages: readonly Message[]) => TE.TaskEither<KafkaError, void>;
  readonly now: () => Date;
}

export const noCounts: RedriveCounts = { matched: 0, redriven: 0, alreadyRedriven: 0 };

export const addCounts = (a: RedriveCounts, b: RedriveCounts): RedriveCounts => ({
  matched: a.matched + b.matched,
  redriven: a.redriven + b.redriven,
  alreadyRedriven: a.alreadyRedriven + b.alreadyRedriven,
});

// Ours and Spring Kafka's (with those Spring adds that we do not write: a letter from a Java service redrives too).
const dlqHeaderNames: ReadonlySet<string> = new Set([
  ...Object.values(deadLetterHeaders),
  ...Object.values(springDeadLetterHeaders),
  'kafka_dlt-exception-stacktrace',
  'kafka_dlt-original-consumer-group',
  'kafka_dlt-key-exception-fqcn',
  'kafka_dlt-key-exception-message',
  'kafka_dlt-key-exception-stacktrace',
]);

/** The record as it was before it was dead-lettered: its key, value and headers without the dlq-* and kafka_dlt-* ones. */
export const originalRecordOf = (letter: StoredRecord): Message => ({
  key: letter.key,
  value: letter.value,
  headers: Object.fromEntries(Object.entries(letter.headers).filter(([name]) => !dlqHeaderNames.has(name))),
});

/** `dlq-reason`, or for a letter written by Spring Kafka, its exception class. */
export const reasonOf = (letter: StoredRecord): string | undefined =>
  headerValue(letter.headers, deadLetterHeaders.reason) ??
  headerValue(letter.headers, springDeadLetterHeaders.exceptionFqcn);

/**
 * Redrives one page of dead letters: records each as pending before publishing it, and as done once Kafka
 * acknowledged it. A letter left pending by an interrupted run is published again (at least once; the
 * worker drops the duplicate); a done one never is.
 */
export const redrivePage =
  (request: RedriveRequest, deps: RedriveDeps) =>
  (page: readonly StoredRecord[]): TE.TaskEither<RedriveError, RedriveCounts> => {
    const matched = page
      .filter((l) => request.reason === undefined || reasonOf(l) === request.reason)
      .map((letter) => ({ letter, id: redriveIdOf(request.dlqTopic, request.partition, letter.offset) }));
    if (matched.length === 0) return TE.right(noCounts);
    return pipe(
      deps.ledger.statuses(matched.map((m) => m.id)),
      TE.chainW((statuses) => {
        const due = matched.filter((m) => statuses.get(m.id) !== 'done');
        const counts: RedriveCounts = {
          matched: matched.length,
          redriven: due.length,
          alreadyRedriven: matched.length - due.length,
        };
        if (request.dryRun || due.length === 0) return TE.right(counts);
        const createdAt = deps.now();
        const pending = due.map(({ letter, id }): RedriveDocument => ({
          _id: id,
          status: 'pending',
          targetTopic: request.targetTopic,
          ...(reasonOf(letter) === undefined ? {} : { reason: reasonOf(letter) }),
          createdAt,
        }));
        return pipe(
          deps.ledger.markPending(pending),
          TE.chainW(() => deps.publish(due.map((m) => originalRecordOf(m.letter)))),
          TE.chainW(() =>
            deps.ledger.markDone(
              due.map((m) => m.id),
              deps.now(),
            ),
          ),
          TE.map(() => counts),
        );
      }),
    );
  };

/** Reads the dead letters page by page (see `readPartitionRange`) and redrives each page; sums the counts. */
export const redriveDeadLetters = async (
  request: RedriveRequest,
  deps: RedriveDeps,
  read: (
    onPage: (page: readonly StoredRecord[]) => Promise<E.Either<RedriveError, void>>,
  ) => Promise<E.Either<RedriveError, void>>,
): Promise<E.Either<RedriveError, RedriveCounts>> => {
  const redrive = redrivePage(request, deps);
  // The pages come one after another through `read`'s callback: their counts are summed as each one resolves.
  let total = noCounts;
  const result = await read((page) =>
    pipe(
      redrive(page),
      TE.map((counts) => {
        total = addCounts(total, counts);
      }),
    )(),
  );
  return pipe(
    result,
    E.map(() => total),
  );
};
