/** Waits for `work` at most as long as the bound allows (src/operators/within.ts, with the probe's bound, wired in src/cli). */
export type ProbeBound = (work: Promise<boolean>) => Promise<'done' | 'timeout'>;

/**
 * The readiness probe of the store: a frozen store answers nothing, so the bound is our own timer, with one
 * ping in flight at a time (the probes that come while it is unanswered share it).
 */
export const storeProbe = (ping: () => Promise<unknown>, bound: ProbeBound): (() => Promise<boolean>) => {
  // The ping in flight, shared by the probes that come while it is unanswered.
  let current: Promise<boolean> | undefined;
  return async () => {
    const pending = (current ??= ping().then(
      () => {
        current = undefined;
        return true;
      },
      () => {
        current = undefined;
        return false;
      },
    ));
    return (await bound(pending)) === 'timeout' ? false : pending;
  };
};
