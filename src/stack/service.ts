/** One local server the stack can provision, start, stop and report on. */
export interface LocalServer {
  readonly name: string;
  readonly connectionString: string;
  /** Downloads and prepares everything; idempotent. */
  readonly install: () => void;
  /** Starts the server unless it already runs; resolves once it answers. Returns whether this call started it. */
  readonly start: () => Promise<boolean>;
  readonly stop: () => Promise<boolean>;
  readonly pid: () => number | undefined;
}
