import * as E from 'fp-ts/lib/Either.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners, type Kafka, type Producer, type Transaction } from 'kafkajs';
import { defer, from, of, type Observable } from 'rxjs';
import type { DeadLetter } from '../streams/consumed-message.js';
import type { ConsumerControl } from '../streams/psp-result-update-consumer.js';
import { deadLetterMessage } from './dead-letter-publisher.js';
import { kafkaErrorOf, partitionsNotOwned, type KafkaError } from './kafka-error.js';
import { sendInChunks } from './send-in-chunks.js';

export interface DeadLetterTransactionsDeps {
  readonly kafka: Kafka;
  /** The consumed topic and the group whose offsets the transactions commit. */
  readonly topic: string;
  readonly groupId: string;
  readonly dlqTopic: string;
  /** Per partition `${prefix}-${partition}`: whoever owns a partition next fences the one before. */
  readonly transactionalIdPrefix: string;
  readonly clock: () => Date;
  /** The consumer's plain commit, for partitions without dead letters to send. */
  readonly commitPlain: ConsumerControl['commit'];
  readonly owns: (partition: number) => boolean;
  /** Changes with every assignment: letters parked under an older one are never sent. */
  readonly assignment: () => number;
  /** The group's committed next offset of a partition, read after fencing. */
  readonly committedOffset: (partition: number) => Promise<number | undefined>;
  /** Between two reads of the committed offset that must agree (default 200 ms; see `stableOffset`). */
  readonly rereadMs?: number;
  /** Told of the letters of every committed transaction: what a DLQ reader now sees, once each. */
  readonly onPublished?: (letters: readonly DeadLetter[]) => void;
}

export interface DeadLetterTransactions {
  /** Keeps the letters until a commit covers their offsets; nothing is sent yet. */
  readonly park: (letters: readonly DeadLetter[]) => Observable<E.Either<KafkaError, void>>;
  /** Commits next-offsets: with the dead letters below them in one transaction, else plainly. */
  readonly commit: ConsumerControl['commit'];
  readonly close: () => Promise<void>;
}

interface Parked {
  readonly assignment: number;
  /** offset → the letter and when it was parked */
  readonly letters: Map<number, { readonly letter: DeadLetter; readonly time: Date }>;
}

interface Fenced {
  readonly producer: Producer;
  readonly assignment: number;
}

/**
 * Dead letters published exactly once, as a read_committed reader sees the DLQ: a partition's letters go
 * out in the same Kafka transaction as the offset commit that covers them, so a crash before the commit
 * aborts both and the redelivered records are dead-lettered again by whoever owns them next.
 *
 * kafkajs' transactional offset commit carries no group generation, so a paused former owner could still
 * commit one. Each partition therefore has its own transactional id: the first transaction of an
 * assignment initialises it, which aborts the former owner's open transaction and refuses its later ones,
 * and only then reads the group's committed offset: letters below it were already published with it.
 */
export const deadLetterTransactions = (deps: DeadLetterTransactionsDeps): DeadLetterTransactions => {
  const parked = new Map<number, Parked>();
  const producers = new Map<number, Fenced>();
  // One transaction at a time per partition (kafkajs allows one per producer).
  const queues = new Map<number, Promise<unknown>>();

  const parkedOf = (partition: number): Parked => {
    const assignment = deps.assignment();
    const current = parked.get(partition);
    if (current !== undefined && current.assignment === assignment) return current;
    const fresh: Parked = { assignment, letters: new Map() };
    parked.set(partition, fresh);
    return fresh;
  };

  /**
   * The group's offset once it stops moving. The former owner's last transaction is complete once our
   * producer is initialised, but the broker makes its offsets visible a moment later, and kafkajs cannot ask
   * for stable offsets (OffsetFetch `require_stable`, KIP-447): read until two reads agree.
   */
  const stableOffset = async (partition: number): Promise<number | undefined> => {
    let last = await deps.committedOffset(partition);
    for (let read = 0; read < 5; read += 1) {
      await sleep(deps.rereadMs ?? 200);
      const now = await deps.committedOffset(partition);
      if (now === last) return now;
      last = last === undefined || (now !== undefined && now > last) ? now : last;
    }
    return last;
  };

  const drop = async (partition: number): Promise<void> => {
    const fenced = producers.get(partition);
    producers.delete(partition);
    await fenced?.producer.disconnect().catch(() => undefined);
  };

  /** This assignment's producer for the partition, fenced in, and the group's offset read after that. */
  const fence = async (partition: number, assignment: number): Promise<{ producer: Producer; floor?: number }> => {
    const known = producers.get(partition);
    if (known !== undefined && known.assignment === assignment) return { producer: known.producer };
    await drop(partition);
    const producer = deps.kafka.producer({
      transactionalId: `${deps.transactionalIdPrefix}-${partition}`,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    producers.set(partition, { producer, assignment });
    const floor = await stableOffset(partition);
    return floor === undefined ? { producer } : { producer, floor };
  };

  const transact = async (partition: number, next: number, assignment: number): Promise<E.Either<KafkaError, void>> => {
    const stillOwned = (): boolean => deps.owns(partition) && deps.assignment() === assignment;
    if (!stillOwned()) return E.left(partitionsNotOwned([partition]));
    const letters = parked.get(partition);
    let producer: Producer;
    try {
      const fenced = await fence(partition, assignment);
      producer = fenced.producer;
      if (fenced.floor !== undefined && letters !== undefined) {
        for (const offset of letters.letters.keys()) if (offset < fenced.floor) letters.letters.delete(offset);
        if (next <= fenced.floor) return E.right(undefined);
      }
    } catch (error: unknown) {
      await drop(partition);
      return E.left(kafkaErrorOf(error));
    }
    const due = [...(letters?.letters ?? new Map<number, never>())]
      .filter(([offset]) => offset < next)
      .sort(([a], [b]) => a - b);
    let transaction: Transaction;
    try {
      transaction = await producer.transaction();
    } catch (error: unknown) {
      await drop(partition);
      return E.left(kafkaErrorOf(error));
    }
    const failed = async (error: KafkaError): Promise<E.Either<KafkaError, void>> => {
      await transaction.abort().catch(() => undefined);
      // A fenced or broken producer is initialised again (and the offset read again) by the next attempt.
      await drop(partition);
      return E.left(error);
    };
    const sent = await sendInChunks(
      transaction,
      deps.dlqTopic,
      due.map(([, l]) => deadLetterMessage(l.letter, l.time.toISOString())),
    );
    if (E.isLeft(sent)) return failed(sent.left);
    // The partition may have moved while the letters went out: its new owner may have committed past `next`
    // already, and a transactional offset commit carries no generation for the broker to refuse it by. Only a
    // transaction this member still owns the partition for commits; the next owner dead-letters again.
    if (!stillOwned()) return failed(partitionsNotOwned([partition]));
    try {
      await transaction.sendOffsets({
        consumerGroupId: deps.groupId,
        topics: [{ topic: deps.topic, partitions: [{ partition, offset: String(next) }] }],
      });
      if (!stillOwned()) return await failed(partitionsNotOwned([partition]));
      await transaction.commit();
    } catch (error: unknown) {
      return failed(kafkaErrorOf(error));
    }
    for (const [offset] of due) letters?.letters.delete(offset);
    if (due.length > 0) deps.onPublished?.(due.map(([, l]) => l.letter));
    return E.right(undefined);
  };

  const queued = (partition: number, work: () => Promise<E.Either<KafkaError, void>>) => {
    const run = (queues.get(partition) ?? Promise.resolve()).then(work, work);
    queues.set(partition, run);
    return run;
  };

  const commit: ConsumerControl['commit'] = (offsets) =>
    defer(() => {
      const assignment = deps.assignment();
      const withLetters = (partition: number, next: number): boolean => {
        const p = parked.get(partition);
        if (p === undefined || p.assignment !== assignment) return false;
        for (const offset of p.letters.keys()) if (offset < next) return true;
        return false;
      };
      const plain = offsets.filter(([p, next]) => !withLetters(p, next));
      const transactional = offsets.filter(([p, next]) => withLetters(p, next));
      if (transactional.length === 0) return deps.commitPlain(offsets);
      const results: Promise<E.Either<unknown, void>>[] = transactional.map(([p, next]) =>
        queued(p, () => transact(p, next, assignment)),
      );
      if (plain.length > 0) {
        results.push(
          new Promise((resolve) => {
            deps.commitPlain(plain).subscribe({
              next: resolve,
              error: (e: unknown) => {
                resolve(E.left(e));
              },
            });
          }),
        );
      }
      return from(Promise.all(results).then((all) => all.find(E.isLeft) ?? E.right(undefined)));
    });

  return {
    park: (letters) =>
      defer(() => {
        for (const letter of letters) {
          parkedOf(letter.message.partition).letters.set(Number(letter.message.offset), {
            letter,
            time: deps.clock(),
          });
        }
        return of(E.right(undefined));
      }),
    commit,
    close: async () => {
      await Promise.allSettled([...queues.values()]);
      await Promise.allSettled([...producers.keys()].map(drop));
    },
  };
};
