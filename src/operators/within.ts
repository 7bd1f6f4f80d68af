/** Node's longest timer; a longer delay fires at once. */
const maxTimerMs = 2 ** 31 - 1;

/** Settles within `ms` whatever `work` does: for closing clients that may hang on a dead peer. */
export const within = async (ms: number, work: Promise<unknown>): Promise<'done' | 'timeout'> => {
  // No bound: Node would run an infinite (or > 2^31 ms) timer after 1 ms, cutting the work short.
  if (!(ms <= maxTimerMs)) {
    await work.catch(() => undefined);
    return 'done';
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      resolve('timeout');
    }, ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => 'done' as const,
        () => 'done' as const,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
};
