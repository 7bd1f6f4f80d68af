import * as E from 'fp-ts/lib/Either.js';
import {
  decodeFailureReason,
  describeDecodeFailure,
  type DecodeFailure,
  type PspResultUpdateEvent,
} from '../codecs/index.js';
import type { ConsumedMessage, DeadLetter } from './consumed-message.js';

/** Reads what a record carries: a result update for the worker (the default), a command for the executor. */
export type DecodeMessage<A = PspResultUpdateEvent> = (message: ConsumedMessage) => E.Either<DecodeFailure, A>;

/** A lane batch decoded: what each valid message carries (`event`), and a letter for each one that does not decode. */
export interface DecodedBatch<A = PspResultUpdateEvent> {
  readonly decoded: readonly { readonly message: ConsumedMessage; readonly event: A }[];
  readonly invalid: readonly DeadLetter[];
}

/** The decode stage: each message becomes what it carries or a letter with its stable reason, in batch order. */
export const decodeBatch = <A = PspResultUpdateEvent>(
  batch: readonly ConsumedMessage[],
  decode: DecodeMessage<A>,
): DecodedBatch<A> => {
  const decoded: { readonly message: ConsumedMessage; readonly event: A }[] = [];
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
