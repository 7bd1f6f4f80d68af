import type { Observable, SchedulerLike } from 'rxjs';
import { decodePspResultUpdate } from '../codecs/index.js';
import type { RetryDeps } from '../operators/retry-transient.js';
import { applyBatch } from './apply-batch.js';
import type { ApplyResultsDeps } from './apply-results.js';
import type { ConsumedMessage, Processed, SourceEvent } from './consumed-message.js';
import { consumerConfigOf } from './consumer-config.js';
import type { DeadLetterPublish } from './dead-letter-rejected.js';
import type { DecodeMessage } from './decode-batch.js';
import { observeBatches, type WorkerObserver } from './observe-batches.js';
import { OffsetLedger } from './offset-ledger.js';
import type { ConsumerControl } from './consumer-control.js';
import { pspResultUpdateConsumer } from './psp-result-update-consumer.js';
import { messageTraceId } from './trace-id.js';
import type { WorkerPolicies } from './worker-policies.js';

export interface PspResultWorkerDeps {
  readonly policies: WorkerPolicies;
  /** Pause, resume, ownership and commits of the Kafka consumer behind the source. */
  readonly control: ConsumerControl;
  /** `ProcessPaymentService.processPspResults`, as an Observable. */
  readonly process: ApplyResultsDeps['process'];
  /** Sends (or parks for the covering commit) the letters of a batch. */
  readonly deadLetter: DeadLetterPublish;
  readonly observer: WorkerObserver;
  readonly decode?: DecodeMessage | undefined;
  readonly scheduler?: SchedulerLike | undefined;
}

/**
 * The PspResultUpdateConsumer, top to bottom:
 *
 *   source (`events$`: records and revocations, from src/kafka/consumer-source.ts)
 *   → admit: into the ledger; a partition paused past its in-flight bound   psp-result-update-consumer.ts
 *   → lanes: one per partition, micro-batches in offset order               lanes.ts
 *   → decode                                                                decode-batch.ts
 *   → apply in the store, transient errors retried                          apply-results.ts
 *   → wait for unknown orders: applied again, with backoff                  wait-for-unknown-orders.ts
 *   → dead-letter what cannot be applied                                    dead-letter-rejected.ts
 *   → ledger: a message done once applied or dead-lettered                  offset-ledger.ts
 *   → commit what is done, by interval or count, on revoke and at the end   commit-offsets.ts
 *
 * Each lane batch is watched by `observer` (one span, metrics, log lines).
 */
export const pspResultWorker = (events$: Observable<SourceEvent>, deps: PspResultWorkerDeps): Observable<Processed> => {
  const { policies, observer } = deps;
  const retry: RetryDeps = {
    backoff: policies.transientRetry,
    random: policies.random,
    scheduler: deps.scheduler,
    onRetry: observer.retry,
  };
  const laneBatch = (batch: readonly ConsumedMessage[]): Observable<Processed> =>
    applyBatch(batch, {
      decode: deps.decode ?? decodePspResultUpdate,
      traceIdOf: messageTraceId,
      process: deps.process,
      deadLetter: deps.deadLetter,
      retry,
      unknownOrderRetries: policies.unknownOrder.retries,
      unknownOrderBackoff: policies.unknownOrder.backoff,
    });
  return pspResultUpdateConsumer(events$, {
    control: deps.control,
    ledger: new OffsetLedger(),
    config: consumerConfigOf(policies),
    scheduler: deps.scheduler,
    onCommitFailed: observer.commitFailed,
    applyBatch: observeBatches(laneBatch, observer.batch),
  });
};
