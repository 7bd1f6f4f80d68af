/** How long the store may take to answer a probe before it counts as not answering. */
const probeBoundMs = 1_000;

/**
 * The readiness probe of the store: a frozen store answers nothing, so the bound is our own timer, with one
 * ping in flight at a time (the probes that come while it is unanswered share it).
 */
export const storeProbe = (ping: () => Promise<unknown>): (() => Promise<boolean>) => {
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
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => {
        resolve('late');
      }, probeBoundMs);
    });
    try {
      return (await Promise.race([pending, late])) === 'late' ? false : await pending;
    } finally {
      clearTimeout(timer);
    }
  };
};
