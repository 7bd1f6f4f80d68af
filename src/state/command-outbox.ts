import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { commandKeyOf, encodePaymentOrderCommand, type PaymentOrderCommand } from '../codecs/index.js';
import type { OutboxEntry } from '../outbox/outbox-entry.js';
import type { OutboxStore } from '../outbox/outbox-store.js';
import type { StoreError } from './store-error.js';

/** Commands for the executor wait here until Kafka acknowledged them: the same outbox as PSP results. */
export const commandOutboxCollection = 'payment_order_command_outbox';

export const commandOutboxEntry = (
  command: PaymentOrderCommand,
  topic: string,
  now: Date,
  traceparent?: string,
): OutboxEntry => {
  const record = encodePaymentOrderCommand(command, traceparent === undefined ? {} : { traceparent });
  const key = commandKeyOf(command);
  return { _id: key, dedupKey: key, topic, ...record, status: 'pending', createdAt: now };
};

/** Records the commands durably in one round trip (recording one twice is harmless); a failure is a store error of PaymentService. */
export const recordCommands = (
  outbox: OutboxStore,
  commands: readonly PaymentOrderCommand[],
  topic: string,
  now: Date,
): TE.TaskEither<StoreError, void> =>
  pipe(
    outbox.record(commands.map((command) => commandOutboxEntry(command, topic, now))),
    TE.mapLeft((e): StoreError => ({
      _tag: 'StoreError',
      code: e.retryable ? 'store-transient' : 'store-rejected',
      retryable: e.retryable,
      message: e.message,
      cause: e,
    })),
  );

/** Records the command durably (recording it twice is harmless); a failure is a store error of PaymentService. */
export const recordCommand = (
  outbox: OutboxStore,
  command: PaymentOrderCommand,
  topic: string,
  now: Date,
): TE.TaskEither<StoreError, void> => recordCommands(outbox, [command], topic, now);
