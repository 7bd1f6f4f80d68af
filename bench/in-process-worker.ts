import { connectWorkerClients } from '../src/kafka/client.js';
import * as E from 'fp-ts/lib/Either.js';
import type { Kafka } from 'kafkajs';
import { lastValueFrom, tap } from 'rxjs';
import { workerPipeline, type WorkerConfig } from '../src/cli/worker-pipeline.js';
import { kafkaSource, type KafkaSource } from '../src/kafka/consumer-source.js';
import type { PaymentOrderStore } from '../src/state/index.js';
import type { Processed } from '../src/streams/consumed-message.js';
import type { ConsumerControl } from '../src/streams/psp-result-update-consumer.js';
import type { Logger } from '../src/telemetry/logger.js';
import { createWorkerMetrics } from '../src/telemetry/worker-metrics.js';

/**
 * The worker's pipeline (`workerPipeline`, the very wiring `runWorker` uses) over any `PaymentOrderStore`
 * (the in-memory one), with a real kafkajs consumer and DLQ producer. Left out, being MongoDB-bound or
 * periodic rather than per event: the MongoDB connection and indexes, the retry dispatcher and its command
 * outbox, the consumer-lag gauge refresh, the HTTP server.
 */
export interface InProcessWorker {
  readonly source: KafkaSource;
  readonly done: Promise<void>;
  /** Stops fetching, drains, disconnects. */
  readonly stop: () => Promise<void>;
}

export interface InProcessWorkerOptions {
  readonly kafka: Kafka;
  readonly config: WorkerConfig;
  readonly store: PaymentOrderStore;
  readonly logger: Logger;
  /** Every processed message, once its write resolved (or it was dead-lettered). */
  readonly onProcessed?: (p: Processed, now: number) => void;
  readonly onFirstMessage?: (now: number) => void;
  /** Every message the source hands to the pipeline. */
  readonly onMessage?: () => void;
  /** The consumer joined its group (fetching starts): performance.now(). */
  readonly onJoined?: (now: number) => void;
  /** Offsets Kafka acknowledged, as [partition, nextOffset]. */
  readonly onCommitted?: (offsets: ReadonlyArray<readonly [number, number]>) => void;
}

export const startInProcessWorker = async (opts: InProcessWorkerOptions): Promise<InProcessWorker> => {
  const { kafka, config, logger } = opts;
  const metrics = createWorkerMetrics();
  const { producer, consumer } = await connectWorkerClients(kafka, {
    groupId: config.CONSUMER_GROUP,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
  });
  const removeJoinListener = consumer.on(consumer.events.GROUP_JOIN, () => {
    opts.onJoined?.(performance.now());
  });

  const source = kafkaSource(consumer, config.PSP_RESULT_TOPIC, Date.now);

  const control: ConsumerControl = {
    ...source.control,
    commit: (offsets) =>
      source.control.commit(offsets).pipe(
        tap((result) => {
          if (E.isRight(result)) opts.onCommitted?.(offsets);
        }),
      ),
  };
  let first = true;
  const events$ = source.events$.pipe(
    tap((e) => {
      if (e._tag !== 'Message') return;
      if (first) {
        first = false;
        opts.onFirstMessage?.(performance.now());
      }
      opts.onMessage?.();
    }),
  );

  // The worker's own wiring over the bench's store, so the figures are the worker's.
  const pipeline$ = workerPipeline({
    config,
    logger,
    metrics,
    events$,
    control,
    producer,
    store: opts.store,
    onProcessed: (p: Processed) => {
      opts.onProcessed?.(p, Date.now());
    },
  });

  const disconnect = async (): Promise<void> => {
    removeJoinListener();
    await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
  };
  const done = lastValueFrom(pipeline$, { defaultValue: undefined }).then(disconnect, async (e: unknown) => {
    await disconnect();
    throw e;
  });
  // A failure before stop() is awaited must not surface as an unhandled rejection.
  done.catch(() => undefined);
  return {
    source,
    done,
    stop: async () => {
      await source.stop();
      await done;
    },
  };
};
