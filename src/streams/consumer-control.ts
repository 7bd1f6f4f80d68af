import type * as E from 'fp-ts/lib/Either.js';
import type { Observable } from 'rxjs';

/** What the pipeline may ask of the Kafka consumer behind the source. */
export interface ConsumerControl {
  readonly pause: (partition: number) => void;
  readonly resume: (partition: number) => void;
  /** Whether the partition is this member's now: false from the start of a rebalance until a join assigns it. */
  readonly owns: (partition: number) => boolean;
  /** Commits next-offsets to read; a Left is logged by the caller and the offsets are offered again later. */
  readonly commit: (offsets: ReadonlyArray<readonly [number, number]>) => Observable<E.Either<unknown, void>>;
}
