import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits `ms` milliseconds unless `signal` aborts first; then rejects with the signal's reason (not
 * Node's AbortError), as PspClient calls promise. A zero or negative wait sets no timer.
 */
export const abortableDelay = async (ms: number, signal: AbortSignal): Promise<void> => {
  signal.throwIfAborted();
  if (ms <= 0) return;
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw error;
  }
};
