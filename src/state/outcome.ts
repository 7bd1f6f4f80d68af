import type { OrderStatus } from './order-status.js';

/**
 * Set on the outcome a record's earlier delivery recorded (same key, topic, partition and offset): the
 * effect is already in the store, so this delivery changed nothing and counts as a redelivery.
 */
interface Redelivery {
  readonly redelivered?: true;
}

/** What applying one PSP result did. Every result ends in exactly one of these. */
export type Outcome =
  | ({ readonly _tag: 'Applied'; readonly to: OrderStatus; readonly reason?: string } & Redelivery)
  | { readonly _tag: 'Duplicate' }
  | ({ readonly _tag: 'Stale' } & Redelivery)
  | ({ readonly _tag: 'IgnoredTerminal'; readonly status: OrderStatus } & Redelivery)
  | ({ readonly _tag: 'InvalidTransition'; readonly status: OrderStatus } & Redelivery)
  | { readonly _tag: 'UnknownOrder' };

/** True when this delivery only re-read an outcome an earlier delivery of the same record recorded. */
export const isRedelivery = (o: Outcome): boolean => 'redelivered' in o && o.redelivered === true;

/**
 * The one outcome vocabulary: every outcome's tag, its name, and how an order's history records it. The
 * only place that maps one to another; everything below is read off it.
 *
 * - `label`: the outcome's name wherever a person reads it: the `outcome` label of
 *   `psp_results_processed_total` (a public contract: dashboards and alert rules under ops/ select on it),
 *   logs, the audit command, the demo and the bench.
 * - `recordedAs`: how an entry of an order's `history` in MongoDB spells the outcome, for the four outcomes
 *   a result leaves in history (a duplicate and an unknown order write nothing). Every entry stored so far
 *   uses these spellings, and new entries keep them: history is an append-only audit record that is never
 *   rewritten, so a second spelling would stay in it forever, and a worker of the previous release (a
 *   rolling deploy, a rollback) must still read what this one writes. Readers accept the label as well
 *   (`recordedTagOf`), so a later release may write labels without breaking this one.
 */
export const outcomeVocabulary = {
  Applied: { label: 'applied', recordedAs: 'applied' },
  Duplicate: { label: 'duplicate' },
  Stale: { label: 'stale', recordedAs: 'stale' },
  IgnoredTerminal: { label: 'ignored_terminal', recordedAs: 'ignored-terminal' },
  InvalidTransition: { label: 'invalid_transition', recordedAs: 'invalid-transition' },
  UnknownOrder: { label: 'unknown_order' },
} as const satisfies {
  readonly [T in Outcome['_tag']]: { readonly label: string; readonly recordedAs?: string };
};

type Vocabulary = typeof outcomeVocabulary;
type Word = Vocabulary[keyof Vocabulary];

/** An outcome's name: the metric label value, and what logs, the audit, the demo and the bench show. */
export type OutcomeLabel = Word['label'];

/** The outcomes a result leaves in its order's history. */
export type RecordedTag = {
  [T in keyof Vocabulary]: Vocabulary[T] extends { recordedAs: string } ? T : never;
}[keyof Vocabulary];

/** How a history entry spells the outcome of tag `T` in MongoDB. */
export type Recorded<T extends RecordedTag> = Vocabulary[T]['recordedAs'];

/** How a history entry spells its outcome in MongoDB. */
export type RecordedOutcome = Recorded<RecordedTag>;

/** Every outcome's label, in the vocabulary's order. */
export const outcomeLabels: readonly OutcomeLabel[] = Object.values(outcomeVocabulary).map((w) => w.label);

/** Bounded metric label of an outcome. */
export const outcomeLabel = (o: Outcome): OutcomeLabel => outcomeVocabulary[o._tag].label;

/** How a history entry records an outcome of this tag. */
export const recordedOutcomeOf = <T extends RecordedTag>(tag: T): Recorded<T> => outcomeVocabulary[tag].recordedAs;

// Both spellings of each recorded outcome, to its tag; built once, read for every redelivery check.
const recordedTags: ReadonlyMap<string, RecordedTag> = new Map(
  Object.entries(outcomeVocabulary).flatMap(([tag, word]) =>
    'recordedAs' in word
      ? [
          [word.recordedAs, tag as RecordedTag],
          [word.label, tag as RecordedTag],
        ]
      : [],
  ),
);

/**
 * The tag of the outcome a history entry recorded, from its stored spelling (or the label, which a later
 * release may write); undefined for a word this release does not know.
 */
export const recordedTagOf = (recorded: string): RecordedTag | undefined => recordedTags.get(recorded);

/** The label of the outcome a history entry recorded; the stored word itself when it is not one of ours. */
export const labelOfRecorded = (recorded: string): string => {
  const tag = recordedTagOf(recorded);
  return tag === undefined ? recorded : outcomeVocabulary[tag].label;
};
