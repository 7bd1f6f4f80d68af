import { Buffer } from 'node:buffer';

type Bytes = Buffer | string | null | undefined;

export interface SizedRecord {
  readonly key?: Bytes;
  readonly value: Bytes;
  readonly headers?: Readonly<Record<string, Bytes | readonly Bytes[]>>;
}

// Length, offset and timestamp varints and attributes of one record in a v2 record batch, rounded up.
const recordOverheadBytes = 32;

// Typed as bytes, but records come from outside: anything else counts as nothing rather than throwing.
const bytesOf = (b: unknown): number => (typeof b === 'string' || Buffer.isBuffer(b) ? Buffer.byteLength(b) : 0);

/** About how many bytes a record takes in a record batch, uncompressed; an upper estimate. */
export const recordSize = (r: SizedRecord): number => {
  let size = recordOverheadBytes + bytesOf(r.key) + bytesOf(r.value);
  for (const [name, raw] of Object.entries(r.headers ?? {})) {
    for (const v of Array.isArray(raw) ? raw : [raw]) size += 8 + Buffer.byteLength(name) + bytesOf(v);
  }
  return size;
};

/**
 * Consecutive groups of at most `budgetBytes` (by `recordSize`), in the given order; a record larger than
 * the budget makes a group of its own.
 */
export const chunksWithin = <R extends SizedRecord>(records: readonly R[], budgetBytes: number): readonly R[][] => {
  const chunks: R[][] = [];
  let current: R[] = [];
  let size = 0;
  for (const r of records) {
    const n = recordSize(r);
    if (current.length > 0 && size + n > budgetBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};
