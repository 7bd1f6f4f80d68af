import type { Observable, SchedulerLike } from 'rxjs';
import type { ConsumedMessage, SourceEvent } from './consumed-message.js';
import { consumerConfigOf } from './consumer-config.js';
import type { ConsumerControl } from './consumer-control.js';
import { executeCommandBatch, type ExecuteCommandBatchDeps } from './execute-command-batch.js';
import { OffsetLedger } from './offset-ledger.js';
import { consumePartitions } from './psp-result-update-consumer.js';
import type { WorkerPolicies } from './worker-policies.js';

/** The consumer's policies: its lanes, commits and jitter mean what the worker's do; `transientRetry` is for dead-letter publishes. */
export type CommandConsumerPolicies = Pick<WorkerPolicies, 'transientRetry' | 'lanes' | 'commit' | 'random'>;

export interface CommandConsumerDeps<C> extends Pick<ExecuteCommandBatchDeps<C>, 'decode' | 'deadLetter' | 'execute'> {
  readonly policies: CommandConsumerPolicies;
  /** Pause, resume, ownership and commits of the Kafka consumer behind the source. */
  readonly control: ConsumerControl;
  /** An offset commit failed; the offsets are offered again at the next commit. */
  readonly onCommitFailed?: ((error: unknown) => void) | undefined;
  readonly scheduler?: SchedulerLike | undefined;
}

/**
 * The executor's consumer of `payment-order-commands`, top to bottom, on the worker's machinery:
 *
 *   source (`events$`: records and revocations, from src/kafka/consumer-source.ts)
 *   → admit: into the ledger; a partition paused past its in-flight bound   psp-result-update-consumer.ts
 *   → lanes: one per partition, micro-batches in offset order               lanes.ts
 *   → decode                                                                decode-batch.ts
 *   → dead-letter what does not decode                                      dead-letter-rejected.ts
 *   → execute the commands: results durably in the outbox                   (injected: src/publisher/)
 *   → ledger: a message done once executed or dead-lettered                 offset-ledger.ts
 *   → commit what is done, by interval or count, on revoke and at the end   commit-offsets.ts
 *
 * Emits each consumed message once it is done.
 */
export const commandConsumer = <C>(
  events$: Observable<SourceEvent>,
  deps: CommandConsumerDeps<C>,
): Observable<ConsumedMessage> => {
  const { policies } = deps;
  return consumePartitions(events$, {
    control: deps.control,
    ledger: new OffsetLedger(),
    config: consumerConfigOf(policies),
    scheduler: deps.scheduler,
    onCommitFailed: deps.onCommitFailed,
    messageOf: (message) => message,
    applyBatch: (batch) =>
      executeCommandBatch(batch, {
        decode: deps.decode,
        deadLetter: deps.deadLetter,
        execute: deps.execute,
        retry: { backoff: policies.transientRetry, random: policies.random, scheduler: deps.scheduler },
      }),
  });
};
