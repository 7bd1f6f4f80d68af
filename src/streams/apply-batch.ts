import { defer, mergeMap, of, type Observable } from 'rxjs';
import type { BackoffPolicy } from '../operators/backoff.js';
import { applyResults, type ApplyResultsDeps } from './apply-results.js';
import type { ConsumedMessage, Processed } from './consumed-message.js';
import { deadLetterRejected, type DeadLetterPublish } from './dead-letter-rejected.js';
import { decodeBatch, type DecodeMessage } from './decode-batch.js';
import { waitForUnknownOrders } from './wait-for-unknown-orders.js';
import type { StoreVerdict } from './store-verdict.js';

export interface ApplyBatchDeps extends ApplyResultsDeps {
  readonly decode: DecodeMessage;
  readonly deadLetter: DeadLetterPublish;
  /** A result may arrive before its order is created: wait this many times before dead-lettering it. */
  readonly unknownOrderRetries: number;
  readonly unknownOrderBackoff: BackoffPolicy;
}

/**
 * One lane batch, start to finish: decode → apply → wait for unknown orders → dead-letter.
 * Emits one `Processed` per message, all at the end, once everything is durable.
 */
export const applyBatch = (batch: readonly ConsumedMessage[], deps: ApplyBatchDeps): Observable<Processed> =>
  defer(() => {
    const { decoded, invalid } = decodeBatch(batch, deps.decode);
    const verdicts$ =
      decoded.length === 0
        ? of<readonly StoreVerdict[]>([])
        : waitForUnknownOrders(decoded, {
            apply: (items) => applyResults(items, deps),
            unknownOrder: { retries: deps.unknownOrderRetries, backoff: deps.unknownOrderBackoff },
            random: deps.retry.random,
            scheduler: deps.retry.scheduler,
          });
    return verdicts$.pipe(mergeMap((verdicts) => deadLetterRejected(invalid, verdicts, deps)));
  });
