import * as E from 'fp-ts/lib/Either.js';
import type { Consumer } from 'kafkajs';
import { defer, from, map, Observable } from 'rxjs';
import type { ConsumedMessage, SourceEvent } from '../streams/consumed-message.js';
import type { ConsumerControl } from '../streams/psp-result-update-consumer.js';
import { kafkaErrorOf, type KafkaError } from './kafka-error.js';
import { wireHeaders } from './record-headers.js';

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
}

/**
 * A kafkajs consumer as an Observable. Auto-commit is off: offsets are committed by the pipeline only.
 * Each record handed over is resolved in kafkajs (that moves its fetch position, not the commit); memory
 * is bounded by the pipeline pausing partitions whose lanes are full.
 */
export const kafkaSource = (consumer: Consumer, topic: string, clock: () => number): KafkaSource => {
  let joined = false;
  let stopped = false;
  let stopping: (() => void) | undefined;
  // Partitions the pipeline paused: the rest of a batch already fetched for them is left unresolved, so
  // kafkajs fetches it again after `resume` and the in-flight bound holds.
  const paused = new Set<number>();

  const events$ = new Observable<SourceEvent>((subscriber) => {
    let assigned = new Set<number>();
    const removeJoin = consumer.on(consumer.events.GROUP_JOIN, (event) => {
      joined = true;
      const now = new Set(event.payload.memberAssignment[topic] ?? []);
      const revoked = [...assigned].filter((p) => !now.has(p));
      assigned = now;
      if (revoked.length > 0) subscriber.next({ _tag: 'Revoked', partitions: revoked });
    });
    const removeCrash = consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) subscriber.error(event.payload.error);
    });
    stopping = () => {
      subscriber.complete();
    };

    const start = async (): Promise<void> => {
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const receivedAt = clock();
          for (const m of batch.messages) {
            if (stopped || !payload.isRunning() || payload.isStale()) return;
            if (paused.has(batch.partition)) break;
            const message: ConsumedMessage = {
              topic: batch.topic,
              partition: batch.partition,
              offset: m.offset,
              key: m.key,
              value: m.value,
              headers: wireHeaders(m.headers),
              receivedAt,
            };
            subscriber.next({ _tag: 'Message', message });
            payload.resolveOffset(m.offset);
          }
          await payload.heartbeat();
        },
      });
    };
    start().catch((error: unknown) => {
      subscriber.error(error);
    });

    return () => {
      removeJoin();
      removeCrash();
      stopping = undefined;
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
    commit: (offsets) =>
      defer(() =>
        from(
          consumer.commitOffsets(offsets.map(([partition, next]) => ({ topic, partition, offset: String(next) }))).then(
            () => E.right(undefined),
            (error: unknown) => E.left(kafkaErrorOf(error)),
          ),
        ),
      ).pipe(map((r): E.Either<KafkaError, void> => r)),
  };

  return {
    events$,
    control,
    joined: () => joined,
    // Not `consumer.stop()`: it leaves the group at once, and kafkajs refuses commits from a stopped consumer
    // ("consumer#run must be called first"), so the drained work would be redelivered to the next owner.
    stop: () => {
      stopped = true;
      quietly(() => {
        consumer.pause([{ topic }]);
      });
      stopping?.();
      return Promise.resolve();
    },
  };
};
