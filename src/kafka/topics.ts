import type { Admin } from 'kafkajs';

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
}

/**
 * Creates the topics that do not exist yet (the broker never auto-creates them); existing topics are left
 * as they are. Returns the names it created.
 */
export const ensureTopics = async (admin: Admin, topics: readonly TopicSpec[]): Promise<readonly string[]> => {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    // Replication factor is left to the broker default: 1 on the local stack, 3 on a real cluster.
    topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions })),
  });
  return missing.map((t) => t.topic);
};
