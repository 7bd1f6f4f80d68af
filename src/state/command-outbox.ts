import { commandKeyOf, encodePaymentOrderCommand, type PaymentOrderCommand } from '../codecs/index.js';
import type { OutboxEntry } from '../outbox/outbox-entry.js';

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
