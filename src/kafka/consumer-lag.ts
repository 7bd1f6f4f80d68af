import type { Admin } from 'kafkajs';

export interface PartitionLag {
  readonly partition: number;
  readonly lag: number;
}

/** The group's committed next offset per partition; a partition it never committed is absent. */
export const committedOffsets = async (
  admin: Admin,
  groupId: string,
  topic: string,
): Promise<ReadonlyMap<number, number>> => {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(
    (committed?.partitions ?? [])
      .map((p) => [p.partition, Number(p.offset)] as const)
      .filter(([, offset]) => offset >= 0),
  );
};

/**
 * The group's lag per partition: high watermark minus committed offset (a partition the group never
 * committed counts from its low watermark), as kafka-exporter computes it.
 */
export const consumerLag = async (admin: Admin, groupId: string, topic: string): Promise<readonly PartitionLag[]> => {
  const [ends, committedBy] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    committedOffsets(admin, groupId, topic),
  ]);
  return ends.map((p) => {
    const from = committedBy.get(p.partition) ?? Number(p.low);
    return { partition: p.partition, lag: Math.max(0, Number(p.high) - from) };
  });
};
