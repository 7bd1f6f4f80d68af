/**
 * A MongoDB stand-in a row ran on. `indexed`: mongo-java-server planning `_id` and single-field filters
 * through indexes (the stack's default); `unindexed`: the plain memory backend, which scans the collection
 * for any filter that is not exactly an index's fields; `unknown`: MONGO_URL is not a local stand-in.
 */
export interface StandInInfo {
  readonly kind: 'indexed' | 'unindexed' | 'unknown';
  readonly url: string;
  /** `stack`: the one MONGO_URL names (`npm run bench` starts it); `bench`: started and stopped by this run. */
  readonly origin: 'stack' | 'bench';
  readonly pid?: number | undefined;
}

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
  /** Which stand-in a stand-in row ran on: its filter planning and where it came from. */
  readonly standIn?: StandInInfo;
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
