/** What each row of the table reports. */
export interface ThroughputRow {
  readonly id: string;
  readonly name: string;
  readonly events: number;
  /** Primary figure: first consumed (first write for d) → last committed (last write for d). */
  readonly seconds: number;
  readonly perSecond: number;
  /** First consumed → last write resolved: free of the commit interval's tail. */
  readonly toLastWrite?: { readonly seconds: number; readonly perSecond: number };
  readonly roundTripsPerEvent?: number;
  /** Documents in payment_orders while the row ran. */
  readonly storeSize?: number;
  readonly storeKind?: 'in-memory' | 'stand-in';
  /** Orders whose final status/attempts differ from the scenario oracle (should be 0 for the worker). */
  readonly oracleMismatches?: number;
  readonly notes: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface LatencyRow {
  readonly rate: number;
  readonly events: number;
  readonly producedPerSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly roundTripsPerEvent: number;
}
