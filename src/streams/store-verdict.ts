import type { PspResultUpdateEvent } from '../codecs/index.js';
import type { Outcome } from '../state/index.js';
import type { ConsumedMessage } from './consumed-message.js';

/** A message that decoded: its event goes to the store. */
export interface Decoded {
  readonly message: ConsumedMessage;
  readonly event: PspResultUpdateEvent;
}

/** What became of a decoded message in the store: applied with its outcome, or to be dead-lettered. */
export type StoreVerdict =
  | { readonly _tag: 'Applied'; readonly item: Decoded; readonly outcome: Outcome }
  | { readonly _tag: 'DeadLettered'; readonly item: Decoded; readonly reason: string; readonly description: string };
