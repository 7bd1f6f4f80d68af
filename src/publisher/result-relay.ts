import * as E from 'fp-ts/lib/Either.js';
import { lastValueFrom, Subject, toArray } from 'rxjs';
import { within } from '../operators/within.js';
import { drainOutbox, outboxRelay, type OutboxDrainDeps } from '../outbox/outbox-relay.js';

/** A batch run's last drain waits this long past the outbox lease for entries a killed relay claimed… */
const finishGraceMs = 5_000;
/** …looking again at this interval. */
const finishPollMs = 500;

export interface ResultRelayDeps extends OutboxDrainDeps {
  /** How often the relay looks for pending entries when nothing woke it. */
  readonly pollIntervalMs: number;
  /** How long a relay holds the entries it claimed. */
  readonly leaseMs: number;
  /** The relay stopped with an error; its pending entries stay for the next relay. */
  readonly onError: (error: unknown) => void;
}

export interface ResultRelay {
  /** Something was just recorded: look now rather than at the next poll. */
  readonly kick: () => void;
  /**
   * For a service's stop: the relay finishes its page in progress, or is cut at `deadline` (epoch ms);
   * entries still pending stay in the outbox for the next relay, in this process's successor or another.
   */
  readonly stopBy: (deadline: number) => Promise<void>;
  /**
   * For a batch run: stops the relay, then drains until nothing is pending (waiting out the lease of
   * entries a killed relay claimed), so nothing recorded is left unpublished. Resolves to how many entries
   * were sent in all.
   */
  readonly finish: () => Promise<number>;
}

/** The executor's outbox relay, started: publishes the results recorded in the outbox, from now until stopped. */
export const startResultRelay = (deps: ResultRelayDeps): ResultRelay => {
  const kick$ = new Subject<void>();
  const stop$ = new Subject<void>();
  // The relay's one subscription; `relayed` counts what it sent, `relaying` settles when it ended.
  let relayed = 0;
  let relayEnded!: () => void;
  const relaying = new Promise<void>((resolve) => {
    relayEnded = resolve;
  });
  const relay = outboxRelay({ ...deps, kick$, stop$ }).subscribe({
    next: (sent) => {
      relayed += sent;
    },
    complete: () => {
      relayEnded();
    },
    error: (error: unknown) => {
      deps.onError(error);
      relayEnded();
    },
  });

  const stopBy = async (deadline: number): Promise<void> => {
    stop$.next();
    if ((await within(Math.max(0, deadline - Date.now()), relaying)) === 'timeout') relay.unsubscribe();
  };

  const finish = async (): Promise<number> => {
    await stopBy(Number.POSITIVE_INFINITY);
    let sentAtEnd = 0;
    const deadline = Date.now() + deps.leaseMs + finishGraceMs;
    for (;;) {
      const sent = await lastValueFrom(drainOutbox(deps).pipe(toArray()), { defaultValue: [] });
      sentAtEnd += sent.reduce((a, n) => a + n, 0);
      const pending = await deps.outbox.countPending()();
      if (E.isLeft(pending) || pending.right === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, finishPollMs));
    }
    return relayed + sentAtEnd;
  };

  return {
    kick: () => {
      kick$.next();
    },
    stopBy,
    finish,
  };
};
