import * as E from 'fp-ts/lib/Either.js';
import {
  decodePaymentOrderCommand,
  headerValue,
  type ConsumedRecord,
  type DecodeFailure,
  type PaymentOrderCommand,
} from '../codecs/index.js';

/** A command for the executor (the codec's own type), with the trace it came with, if any. */
export interface TracedCommand {
  readonly command: PaymentOrderCommand;
  readonly traceparent?: string | undefined;
}

/** The command a consumed record carries, with its `traceparent` header, or why it is not one. */
export const decodeTracedCommand = (record: ConsumedRecord): E.Either<DecodeFailure, TracedCommand> => {
  const decoded = decodePaymentOrderCommand(record);
  return E.isLeft(decoded)
    ? decoded
    : E.right({ command: decoded.right, traceparent: headerValue(record.headers, 'traceparent') });
};
