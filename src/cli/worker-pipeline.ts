import type { Producer } from 'kafkajs';
import type { Observable } from 'rxjs';
import { deadLetterPublisher } from '../kafka/dead-letter-publisher.js';
import type { DeadLetterTransactions } from '../kafka/dead-letter-transactions.js';
import { fromTask } from '../operators/effects.js';
import { processPaymentService, resultMemory, type PaymentOrderStore, type RetryPolicy } from '../state/index.js';
import type { ConsumedMessage, Processed, SourceEvent } from '../streams/consumed-message.js';
import type { ConsumerControl } from '../streams/psp-result-update-consumer.js';
import { pspResultWorker } from '../streams/psp-result-worker.js';
import { traceIdOf } from '../streams/trace-id.js';
import type { WorkerPolicies } from '../streams/worker-policies.js';
import type { Logger } from '../telemetry/logger.js';
import type { WorkerMetrics } from '../telemetry/worker-metrics.js';
import { workerObserver } from '../telemetry/worker-observer.js';
import { workerPoliciesOf, type WorkerConfig } from './worker-policies.js';

/** Told of every processed message, with its consume → write latency. */
export type ProcessedListener = (p: Processed, latencyMs: number) => void;
export type { WorkerConfig } from './worker-policies.js';

/** The PSP retry policy of the worker's `ProcessPaymentService` (the bench builds services with it). */
export const workerPolicy = (config: WorkerConfig): RetryPolicy => workerPoliciesOf(config).payment;

/**
 * The worker's pipeline wired as in production, over any store: `pspResultWorker` (src/streams/) with the
 * policies, `processPspResults` over `store`, dead letters to the DLQ (or parked for the commit that covers
 * them), and the telemetry observer.
 */
export const workerPipeline = (deps: {
  readonly config: WorkerConfig;
  /** Made of `config` when not given. */
  readonly policies?: WorkerPolicies | undefined;
  readonly logger: Logger;
  readonly metrics: WorkerMetrics;
  readonly events$: Observable<SourceEvent>;
  readonly control: ConsumerControl;
  readonly producer: Producer;
  /** Dead letters held for the commit that covers them (one transaction); absent: sent at once. */
  readonly deadLetters?: Pick<DeadLetterTransactions, 'park' | 'commit'> | undefined;
  readonly store: PaymentOrderStore;
  readonly onProcessed?: ProcessedListener | undefined;
}): Observable<Processed> => {
  const { config } = deps;
  const policies = deps.policies ?? workerPoliciesOf(config);
  const service = processPaymentService({
    store: deps.store,
    policy: policies.payment,
    now: () => new Date(),
    // ~100k recent event keys and terminal orders (tens of MiB): spares the read for a repeat or a late result
    memory: resultMemory(100_000),
  });
  return pspResultWorker(deps.events$, {
    policies,
    control: deps.deadLetters === undefined ? deps.control : { ...deps.control, commit: deps.deadLetters.commit },
    process: (results) => fromTask(service.processPspResults(results)),
    deadLetter:
      deps.deadLetters?.park ?? deadLetterPublisher(deps.producer, config.PSP_RESULT_DLQ_TOPIC, () => new Date()),
    observer: workerObserver<ConsumedMessage, Processed>({
      topic: config.PSP_RESULT_TOPIC,
      logger: deps.logger,
      metrics: deps.metrics,
      traceIdOf,
      onProcessed: deps.onProcessed,
      deadLettersCountedWhenPublished: deps.deadLetters !== undefined,
    }),
  });
};
