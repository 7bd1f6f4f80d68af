import * as E from 'fp-ts/lib/Either.js';
import {
  decodeFailureReason,
  describeDecodeFailure,
  type DecodeFailure,
  type PspResultUpdateEvent,
} from '../codecs/index.js';
import type { ConsumedMessage, DeadLetter } from './consumed-message.js';
import type { Decoded } from './store-verdict.js';

export type DecodeMessage = (message: ConsumedMessage) => E.Either<DecodeFailure, PspResultUpdateEvent>;

/** A lane batch decoded: the events for the store, and a letter for each message that does not decode. */
export interface DecodedBatch {
  readonly decoded: readonly Decoded[];
  readonly invalid: readonly DeadLetter[];
}

/** The decode stage: each message becomes an event or a letter with its stable reason, in batch order. */
export const decodeBatch = (batch: readonly ConsumedMessage[], decode: DecodeMessage): DecodedBatch => {
  const decoded: Decoded[] = [];
  const invalid: DeadLetter[] = [];
  for (const message of batch) {
    const result = decode(message);
    if (E.isRight(result)) decoded.push({ message, event: result.right });
    else
      invalid.push({
        message,
        reason: decodeFailureReason(result.left),
        description: describeDecodeFailure(result.left),
      });
  }
  return { decoded, invalid };
};
