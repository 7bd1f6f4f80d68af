/**
 * The order state machine, written from the rules alone (it shares no code with src/state): what a
 * sequence of PSP results, in arrival order, does to a freshly initiated order.
 */

export type OracleOrderStatus =
  | 'INITIATED'
  | 'PENDING'
  | 'AUTH_REQUIRED'
  | 'CAPTURE_PENDING'
  | 'RETRY_PENDING'
  | 'SUCCESSFUL'
  | 'DECLINED'
  | 'FAILED';

export type OraclePspStatus =
  | 'SUCCESSFUL'
  | 'DECLINED'
  | 'FAILED'
  | 'TIMEOUT'
  | 'PSP_UNAVAILABLE'
  | 'FAILED_TRANSIENT'
  | 'PENDING'
  | 'AUTH_REQUIRED'
  | 'CAPTURE_PENDING'
  | 'UNKNOWN';

export interface OracleResult {
  readonly pspStatus: OraclePspStatus;
  readonly eventTime: Date;
  readonly pspReference?: string;
}

/** `duplicate`: seen before, leaves no trace; `ignored`: recorded but changes nothing (stale or moving back). */
export type Verdict = 'applied' | 'ignored' | 'ignored-terminal' | 'duplicate';

export interface Step {
  readonly result: OracleResult;
  readonly verdict: Verdict;
  /** The order's status after the result. */
  readonly status: OracleOrderStatus;
}

export interface OracleOutcome {
  readonly status: OracleOrderStatus;
  readonly attempts: number;
  /** Event time of the latest applied result, if any was applied. */
  readonly lastEventTime: Date | undefined;
  readonly steps: readonly Step[];
}

export const oracleMaxAttempts = 5;

const terminal: ReadonlySet<OracleOrderStatus> = new Set(['SUCCESSFUL', 'DECLINED', 'FAILED']);
const finals: ReadonlySet<OraclePspStatus> = new Set(['SUCCESSFUL', 'DECLINED', 'FAILED']);
const retryables: ReadonlySet<OraclePspStatus> = new Set(['TIMEOUT', 'PSP_UNAVAILABLE', 'FAILED_TRANSIENT']);

/** Check-later results name the stage the payment has reached; UNKNOWN means "still pending". */
const checkLaterTarget = (s: OraclePspStatus): OracleOrderStatus =>
  (s === 'UNKNOWN' ? 'PENDING' : s) as OracleOrderStatus;

const stageOf: Readonly<Partial<Record<OracleOrderStatus, number>>> = {
  INITIATED: 0,
  RETRY_PENDING: 0,
  PENDING: 1,
  AUTH_REQUIRED: 2,
  CAPTURE_PENDING: 3,
};

/** Two results are the same result when order, PSP status, PSP reference and event time all agree. */
export const identityOf = (r: OracleResult): string =>
  JSON.stringify([r.pspStatus, r.pspReference ?? null, r.eventTime.toISOString()]);

export const replay = (results: readonly OracleResult[], maxAttempts = oracleMaxAttempts): OracleOutcome => {
  let status: OracleOrderStatus = 'INITIATED';
  let attempts = 0;
  let last: number | undefined;
  const seen = new Set<string>();
  const steps: Step[] = [];
  const step = (result: OracleResult, verdict: Verdict): void => {
    if (verdict === 'applied') last = Math.max(last ?? -Infinity, result.eventTime.getTime());
    steps.push({ result, verdict, status });
  };

  for (const r of results) {
    const id = identityOf(r);
    if (seen.has(id)) {
      step(r, 'duplicate');
      continue;
    }
    seen.add(id);
    if (terminal.has(status)) {
      step(r, 'ignored-terminal');
    } else if (finals.has(r.pspStatus)) {
      // The PSP has answered for good: never stale, whatever its event time.
      status = r.pspStatus as OracleOrderStatus;
      step(r, 'applied');
    } else if (last !== undefined && r.eventTime.getTime() < last) {
      step(r, 'ignored');
    } else if (retryables.has(r.pspStatus)) {
      attempts += 1;
      status = attempts >= maxAttempts ? 'FAILED' : 'RETRY_PENDING';
      step(r, 'applied');
    } else {
      const target = checkLaterTarget(r.pspStatus);
      if ((stageOf[status] ?? 0) > (stageOf[target] ?? 0)) {
        step(r, 'ignored');
      } else {
        status = target;
        step(r, 'applied');
      }
    }
  }
  return { status, attempts, lastEventTime: last === undefined ? undefined : new Date(last), steps };
};

/** Every distinct arrangement of the items (identical items, by `identityOf`, are not told apart). */
export const distinctPermutations = <T extends OracleResult>(items: readonly T[]): readonly (readonly T[])[] => {
  const out: T[][] = [];
  const walk = (prefix: T[], rest: T[]): void => {
    if (rest.length === 0) {
      out.push(prefix);
      return;
    }
    // Placing each distinct item once per position is what keeps identical arrangements from repeating.
    const tried = new Set<string>();
    rest.forEach((item, i) => {
      const id = identityOf(item);
      if (tried.has(id)) return;
      tried.add(id);
      walk([...prefix, item], [...rest.slice(0, i), ...rest.slice(i + 1)]);
    });
  };
  walk([], [...items]);
  return out;
};
