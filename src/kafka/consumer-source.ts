import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import kafkajs, { type Consumer } from 'kafkajs';
import { defer, Observable, of, type Subscriber } from 'rxjs';
import { fromTask } from '../operators/effects.js';
import type { ConsumedMessage, SourceEvent } from '../streams/consumed-message.js';
import type { ConsumerControl } from '../streams/psp-result-update-consumer.js';
import { kafkaErrorOf, partitionsNotOwned, type KafkaError } from './kafka-error.js';
import { wireHeaders } from './record-headers.js';
import { kafkaSecurityFailureOf } from './security-failure.js';

// kafkajs is CommonJS: Node's ESM loader cannot see this class as a named export.
const { KafkaJSError } = kafkajs;

/**
 * Whether a crash kafkajs will not restart from is waited out. kafkajs restarts only after errors it calls
 * retriable (its `retry.restartOnFailure` is never asked about the others), and it calls "Failed to find group
 * coordinator" final (KafkaJSGroupCoordinatorNotFound, a KafkaJSNonRetriableError) although after a broker
 * restart or a coordinator move it passes by itself (tulios/kafkajs#1445, #1630). As at start-up, every
 * failure kafkajs reports as its own (a KafkaJSError at the root) is waited out; Kafka refusing our
 * credentials, and an error of our own (a bug in a handler), end the source.
 */
const runAgainAfter = (error: unknown): boolean => {
  let root = error;
  while (root instanceof Error && root.cause !== undefined && root.cause !== null) root = root.cause;
  return root instanceof KafkaJSError && kafkaSecurityFailureOf(error) === undefined;
};

/** A commit refused before it was sent: some of its partitions are no longer this member's. */
const notOwned = (offsets: ReadonlyArray<readonly [number, number]>, owned: ReadonlySet<number>): KafkaError =>
  partitionsNotOwned(offsets.filter(([p]) => !owned.has(p)).map(([p]) => p));

export interface KafkaSource {
  readonly events$: Observable<SourceEvent>;
  readonly control: ConsumerControl;
  /**
   * Stops fetching and completes `events$`, but stays in the group: the pipeline drains and makes its last
   * commit through this consumer, which leaves the group when it is disconnected afterwards.
   */
  readonly stop: () => Promise<void>;
  /** Whether the consumer has joined its group and holds an assignment. */
  readonly joined: () => boolean;
  /** Counts the joins: work parked for commit under an earlier one belongs to an assignment that is over. */
  readonly assignment: () => number;
}

/**
 * A kafkajs consumer as an Observable. Auto-commit is off: offsets are committed by the pipeline only.
 * Each record handed over is resolved in kafkajs (that moves its fetch position, not the commit); memory
 * is bounded by the pipeline pausing partitions whose lanes are full.
 *
 * Ownership follows kafkajs' eager rebalances: when a rebalance starts (`REBALANCING`) every partition is
 * revoked — the pipeline commits what it finished and abandons the rest — and nothing is owned, fetched
 * into a lane or committed until the next `GROUP_JOIN` says what this member holds (kafkajs then restarts
 * every assigned partition from its committed offset). The listeners live as long as the consumer, so a
 * draining pipeline still learns that it lost a partition.
 */
export const kafkaSource = (consumer: Consumer, topic: string, clock: () => number): KafkaSource => {
  let joined = false;
  let joins = 0;
  let stopped = false;
  // The subscriber of `events$` while it runs (until `stop` completes it).
  let subscriber: Subscriber<SourceEvent> | undefined;
  // Partitions this member may take work from and commit: those of the last join, none during a rebalance.
  let owned = new Set<number>();
  // Partitions of the last join whose lanes have not been revoked yet.
  let assigned = new Set<number>();
  // Partitions the pipeline paused: the rest of a batch already fetched for them is left unresolved, so
  // kafkajs fetches it again after `resume` and the in-flight bound holds.
  const paused = new Set<number>();
  // Runs the consumer again (after a crash kafkajs does not restart from); set once `events$` has started it.
  let runAgain: (() => Promise<void>) | undefined;
  let rerunTimer: ReturnType<typeof setTimeout> | undefined;
  // Runs again since the last join, for the backoff (250 ms doubling to 5 s, half of it jitter).
  let reruns = 0;

  const revokeAll = (): void => {
    const lost = [...assigned];
    assigned = new Set();
    // Still owned while the revocation is handled: the pipeline's commit of finished work goes out with the
    // generation that owned them (the broker refuses it once a new generation exists).
    if (lost.length > 0) subscriber?.next({ _tag: 'Revoked', partitions: lost });
  };

  consumer.on(consumer.events.REBALANCING, () => {
    revokeAll();
    owned = new Set();
  });
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    joined = true;
    reruns = 0;
    const now = new Set(event.payload.memberAssignment[topic] ?? []);
    // A join without a REBALANCING before it: the coordinator forgot this member (its session ran out, in a
    // long pause say) and kafkajs restarts whatever is assigned from its committed offset, so it is revoked
    // first, owning nothing. Another member may have owned those partitions meanwhile and committed past our
    // finished work: a commit of it now would carry the new generation and move the group's offset back.
    // It is redelivered and deduplicated instead.
    owned = new Set();
    revokeAll();
    owned = now;
    assigned = new Set(now);
    joins += 1;
  });
  // kafkajs has stopped and disconnected the consumer when it reports a crash: as in a rebalance, nothing is
  // owned until the next join (which restarts every assigned partition from its committed offset).
  consumer.on(consumer.events.CRASH, (event) => {
    revokeAll();
    owned = new Set();
    joined = false;
    if (event.payload.restart || stopped) return;
    const run = runAgain;
    if (run === undefined || !runAgainAfter(event.payload.error)) {
      subscriber?.error(event.payload.error);
      return;
    }
    const ceiling = Math.min(5_000, 250 * 2 ** Math.min(reruns++, 20));
    rerunTimer = setTimeout(
      () => {
        rerunTimer = undefined;
        if (!stopped) run().catch((error: unknown) => subscriber?.error(error));
      },
      ceiling / 2 + (Math.random() * ceiling) / 2,
    );
  });

  const events$ = new Observable<SourceEvent>((s) => {
    subscriber = s;
    const run = (): Promise<void> =>
      consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const receivedAt = clock();
          for (const m of batch.messages) {
            if (stopped || !payload.isRunning() || payload.isStale()) return;
            // A rebalance started: the partition is not ours until the next join, which refetches it.
            if (!owned.has(batch.partition)) return;
            if (paused.has(batch.partition)) break;
            const message: ConsumedMessage = {
              topic: batch.topic,
              partition: batch.partition,
              offset: m.offset,
              key: m.key,
              value: m.value,
              headers: wireHeaders(m.headers),
              timestamp: m.timestamp,
              receivedAt,
            };
            s.next({ _tag: 'Message', message });
            payload.resolveOffset(m.offset);
          }
          await payload.heartbeat();
        },
      });
    runAgain = run;
    const start = async (): Promise<void> => {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await run();
    };
    start().catch((error: unknown) => {
      s.error(error);
    });
    return () => {
      subscriber = undefined;
      // The pipeline is gone (ended by an error, or abandoned): the consumer is never run again for it.
      runAgain = undefined;
      clearTimeout(rerunTimer);
    };
  });

  // kafkajs throws from pause/resume while it restarts after a crash (it has no consumer group then). Such a
  // call is moot: the restarted consumer fetches every assigned partition afresh. Dropping it beats failing
  // the whole pipeline.
  const quietly = (call: () => void): void => {
    try {
      call();
    } catch {
      // see above
    }
  };

  const control: ConsumerControl = {
    pause: (partition) => {
      paused.add(partition);
      quietly(() => {
        consumer.pause([{ topic, partitions: [partition] }]);
      });
    },
    resume: (partition) => {
      // After `stop`, everything stays paused while the pipeline drains.
      if (stopped) return;
      paused.delete(partition);
      quietly(() => {
        consumer.resume([{ topic, partitions: [partition] }]);
      });
    },
    owns: (partition) => owned.has(partition),
    commit: (offsets) =>
      defer((): Observable<E.Either<KafkaError, void>> => {
        // Checked again at the moment of sending: a commit for a partition lost meanwhile is never sent.
        if (offsets.some(([partition]) => !owned.has(partition))) return of(E.left(notOwned(offsets, owned)));
        return fromTask(
          TE.tryCatch(async () => {
            await consumer.commitOffsets(
              offsets.map(([partition, next]) => ({ topic, partition, offset: String(next) })),
            );
          }, kafkaErrorOf),
        );
      }),
  };

  return {
    events$,
    control,
    joined: () => joined,
    assignment: () => joins,
    // Not `consumer.stop()`: it leaves the group at once, and kafkajs refuses commits from a stopped consumer
    // ("consumer#run must be called first"), so the drained work would be redelivered to the next owner.
    stop: () => {
      stopped = true;
      clearTimeout(rerunTimer);
      quietly(() => {
        consumer.pause([{ topic }]);
      });
      const s = subscriber;
      subscriber = undefined;
      s?.complete();
      return Promise.resolve();
    },
  };
};
