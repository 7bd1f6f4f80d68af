/**
 * Every error code that crosses a boundary of ours — a store call, a Kafka call, an outbox write — with
 * whether trying again can help. In the style of platformatic/kafka's `errors.ts`: the codes are data,
 * closed (`as const`), each saying whether a retry may succeed; the client's own error travels as `cause`.
 */
export const errorCodes = {
  'store-unreachable': { retryable: true, meaning: 'no answer from MongoDB (network, server selection, a reply lost)' },
  'store-transient': {
    retryable: true,
    meaning: 'MongoDB refused for now (election, shutdown, timeout, write conflict)',
  },
  'store-contention': {
    retryable: true,
    meaning: 'a conditional write kept losing to concurrent writers of the order',
  },
  'store-rejected': {
    retryable: false,
    meaning: 'MongoDB refused the statement for good (its server code is in the message)',
  },
  'store-closed': { retryable: false, meaning: 'the MongoDB client was closed: the process is stopping' },
  'store-unexpected': { retryable: false, meaning: 'not a MongoDB failure: a bug of ours' },
  'outbox-unavailable': { retryable: true, meaning: 'the outbox could not be read or written for now' },
  'outbox-rejected': { retryable: false, meaning: 'MongoDB refused an outbox entry for good (document validation)' },
  'kafka-transient': {
    retryable: true,
    meaning: 'a broker, leader or coordinator did not answer, or answered "not now"',
  },
  'kafka-rejected': {
    retryable: false,
    meaning: 'Kafka refused the request for good (its error type is in the message)',
  },
  'kafka-unexpected': { retryable: false, meaning: 'not a Kafka failure: a bug of ours' },
  'partition-not-owned': { retryable: true, meaning: 'a commit for a partition this member no longer owns: not sent' },
  'no-such-partition': { retryable: false, meaning: 'the topic has no such partition' },
} as const satisfies Record<string, { readonly retryable: boolean; readonly meaning: string }>;

export type ErrorCode = keyof typeof errorCodes;
export type StoreErrorCode = Extract<ErrorCode, `store-${string}`>;
export type OutboxErrorCode = Extract<ErrorCode, `outbox-${string}`>;
export type KafkaErrorCode = Extract<ErrorCode, `kafka-${string}` | 'partition-not-owned' | 'no-such-partition'>;

/** Whether an error with this code is worth trying again: the table's answer, never a caller's. */
export const isRetryable = (code: ErrorCode): boolean => errorCodes[code].retryable;
