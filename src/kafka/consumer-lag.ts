import type { Admin } from 'kafkajs';

export interface PartitionLag {
  readonly partition: number;
  readonly lag: number;
}

/**
 * The group's lag per partition: high watermark minus committed offset (a partition the group never
 * committed counts from its low watermark), as kafka-exporter computes it.
 */
export const consumerLag = async (admin: Admin, groupId: string, topic: string): Promise<readonly PartitionLag[]> => {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const committedBy = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  return ends.map((p) => {
    const done = committedBy.get(p.partition) ?? -1;
    const from = done >= 0 ? done : Number(p.low);
    return { partition: p.partition, lag: Math.max(0, Number(p.high) - from) };
  });
};
