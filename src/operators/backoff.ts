export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base·2^(attempt-1))]. `random` in [0, 1). */
export const backoffDelay = (policy: BackoffPolicy, attempt: number, random: () => number): number => {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.floor(random() * ceiling);
};
