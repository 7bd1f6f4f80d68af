import type { PspResultUpdateEvent } from '../codecs/index.js';
import type { Outcome } from '../state/index.js';

/** A Kafka record as the pipeline sees it, detached from the client library. */
export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;
  /** The record's own timestamp as Kafka gave it (ms since epoch, a string), when known. */
  readonly timestamp?: string;
  /** When the worker took it from Kafka (ms since epoch, from the injected clock). */
  readonly receivedAt: number;
}

/** What the source emits: records of assigned partitions, and partitions taken away by a rebalance. */
export type SourceEvent =
  | { readonly _tag: 'Message'; readonly message: ConsumedMessage }
  | { readonly _tag: 'Revoked'; readonly partitions: readonly number[] };

export interface DeadLetter {
  readonly message: ConsumedMessage;
  /** Stable, bounded reason code (e.g. `schema-violation`, `unknown-order`). */
  readonly reason: string;
  readonly description: string;
}

/** Every consumed message ends as exactly one of these, and only then may its offset be committed. */
export type Processed =
  | {
      readonly _tag: 'Applied';
      readonly message: ConsumedMessage;
      readonly event: PspResultUpdateEvent;
      readonly outcome: Outcome;
    }
  | { readonly _tag: 'DeadLettered'; readonly letter: DeadLetter; readonly event?: PspResultUpdateEvent };
