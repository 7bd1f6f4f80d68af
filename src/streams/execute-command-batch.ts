import { concat, defer, EMPTY, from, ignoreElements, type Observable } from 'rxjs';
import type { RetryDeps } from '../operators/retry-transient.js';
import type { ConsumedMessage } from './consumed-message.js';
import { deadLetterAll, type DeadLetterPublish } from './dead-letter-rejected.js';
import { decodeBatch, type DecodeMessage } from './decode-batch.js';

export interface ExecuteCommandBatchDeps<C> {
  readonly decode: DecodeMessage<C>;
  /** Sends the letters of what does not decode. */
  readonly deadLetter: DeadLetterPublish;
  /** Transient refusals of the dead-letter topic are retried with this backoff for as long as it takes. */
  readonly retry: RetryDeps;
  /** Executes the batch's commands; completes once every result is durable (in the outbox). */
  readonly execute: (commands: readonly C[]) => Observable<unknown>;
}

/**
 * One lane batch of the executor, start to finish: decode → dead-letter what does not decode → execute the
 * rest. Emits every message of the batch (the dead-lettered first), all at the end, once everything is
 * durable; a dead-letter topic that refuses for good errors the batch before anything is executed.
 */
export const executeCommandBatch = <C>(
  batch: readonly ConsumedMessage[],
  deps: ExecuteCommandBatchDeps<C>,
): Observable<ConsumedMessage> =>
  defer(() => {
    const { decoded, invalid } = decodeBatch(batch, deps.decode);
    const lettered$ = invalid.length === 0 ? EMPTY : deadLetterAll(invalid, deps).pipe(ignoreElements());
    return concat(
      lettered$,
      deps.execute(decoded.map((d) => d.event)).pipe(ignoreElements()),
      from([...invalid.map((l) => l.message), ...decoded.map((d) => d.message)]),
    );
  });
