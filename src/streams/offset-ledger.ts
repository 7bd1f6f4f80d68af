/**
 * Tracks, per partition, which consumed messages are finished so that only offsets below the first
 * unfinished one are committed. Offsets are `number`s decoded from Kafka's strings at the edge; they
 * stay below 2^53. They are not contiguous (compaction, transaction markers): the ledger only ever
 * compares them.
 */

const compactAfter = 4096;

class PartitionQueue {
  /** Admitted offsets, increasing; entries before `head` are committed and only await compaction. */
  private offsets: number[] = [];
  /** Finished flag of each entry of `offsets`. */
  private done: boolean[] = [];
  /** First entry not yet covered by an acknowledged commit. */
  private head = 0;
  /** First entry not finished: entries in [head, ready) are finished and committable. */
  private ready = 0;
  /** Highest offset admitted so far, to refuse out-of-order admission. */
  private lastAdmitted = -1;
  /** Admitted but unfinished entries. */
  private unfinished = 0;
  /** Next offset to commit (last finished entry of the done prefix + 1), once there is one. */
  private next: number | undefined;
  /** Highest next offset Kafka acknowledged. */
  private acknowledged: number | undefined;

  admit(offset: number): boolean {
    if (!Number.isSafeInteger(offset) || offset <= this.lastAdmitted) return false;
    this.offsets.push(offset);
    this.done.push(false);
    this.lastAdmitted = offset;
    this.unfinished++;
    return true;
  }

  complete(offset: number): boolean {
    const at = this.indexOf(offset);
    if (at === undefined || this.done[at] === true) return false;
    this.done[at] = true;
    this.unfinished--;
    while (this.done[this.ready] === true) this.ready++;
    if (at < this.ready) this.next = (this.offsets[this.ready - 1] ?? offset) + 1;
    return true;
  }

  committable(): number | undefined {
    return this.next === this.acknowledged ? undefined : this.next;
  }

  committed(nextOffset: number): void {
    if (this.acknowledged !== undefined && nextOffset <= this.acknowledged) return;
    this.acknowledged = nextOffset;
    while (this.head < this.ready && (this.offsets[this.head] ?? Infinity) < nextOffset) this.head++;
    if (this.head >= compactAfter && this.head * 2 >= this.offsets.length) this.compact();
  }

  inFlight(): number {
    return this.unfinished;
  }

  uncommittedDone(): number {
    return this.ready - this.head;
  }

  /** Binary search among the unfinished part: finished offsets are never completed twice. */
  private indexOf(offset: number): number | undefined {
    let low = this.ready;
    let high = this.offsets.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const found = this.offsets[mid] ?? Infinity;
      if (found === offset) return mid;
      if (found < offset) low = mid + 1;
      else high = mid - 1;
    }
    return undefined;
  }

  private compact(): void {
    this.offsets.splice(0, this.head);
    this.done.splice(0, this.head);
    this.ready -= this.head;
    this.head = 0;
  }
}

export class OffsetLedger {
  /** Live partitions: absent once revoked. */
  private readonly queues = new Map<number, PartitionQueue>();

  /** Records that a message entered processing. Offsets of one partition must be admitted in increasing order; returns false (and records nothing) when not. */
  admit(partition: number, offset: number): boolean {
    let queue = this.queues.get(partition);
    if (queue === undefined) {
      queue = new PartitionQueue();
      this.queues.set(partition, queue);
    }
    return queue.admit(offset);
  }

  /** Marks an admitted message finished (its write resolved, or it was dead-lettered). Unknown offsets are ignored (returns false). */
  complete(partition: number, offset: number): boolean {
    return this.queues.get(partition)?.complete(offset) ?? false;
  }

  /** The next offset to commit for the partition, or undefined when nothing new since the last `committed` call. */
  committable(partition: number): number | undefined {
    return this.queues.get(partition)?.committable();
  }

  /** All partitions with something new to commit, as [partition, nextOffset] pairs. */
  pendingCommits(): ReadonlyArray<readonly [number, number]> {
    const pending: (readonly [number, number])[] = [];
    for (const [partition, queue] of this.queues) {
      const next = queue.committable();
      if (next !== undefined) pending.push([partition, next]);
    }
    return pending;
  }

  /** Records that Kafka acknowledged a commit of `nextOffset`, so it is not offered again. */
  committed(partition: number, nextOffset: number): void {
    this.queues.get(partition)?.committed(nextOffset);
  }

  /** Unfinished messages of a partition (admitted but not complete): drives backpressure. */
  inFlight(partition: number): number {
    return this.queues.get(partition)?.inFlight() ?? 0;
  }

  /** Finished messages committable but not yet acknowledged as committed: drives count-based commit batching. */
  uncommittedDone(partition: number): number {
    return this.queues.get(partition)?.uncommittedDone() ?? 0;
  }

  /** Forgets a partition (revoked): nothing of it is ever offered for commit again until re-admitted. */
  revoke(partition: number): void {
    this.queues.delete(partition);
  }

  partitions(): readonly number[] {
    return [...this.queues.keys()];
  }
}
