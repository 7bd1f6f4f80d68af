import type { Admin } from 'kafkajs';

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** Topic-level settings such as `max.message.bytes`; the broker's defaults apply to the rest. */
  readonly configEntries?: readonly { readonly name: string; readonly value: string }[];
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
    topics: missing.map((t) => ({
      topic: t.topic,
      numPartitions: t.partitions,
      ...(t.configEntries === undefined ? {} : { configEntries: t.configEntries.map((e) => ({ ...e })) }),
    })),
  });
  return missing.map((t) => t.topic);
};

/**
 * A dead letter is the original record (at most the result topic's `max.message.bytes`, 1 MiB by broker
 * default) plus the dlq-* headers (a few KB): on a DLQ with the same limit as the result topic, a maximal
 * original could never be kept. Twice the default leaves room for both.
 */
export const deadLetterMaxMessageBytes = 2 * 1024 * 1024;

/** The result topic and its one-partition dead-letter topic, as psp-stream creates them. */
export const pspResultTopicSpecs = (config: {
  readonly PSP_RESULT_TOPIC: string;
  readonly PSP_RESULT_PARTITIONS: number;
  readonly PSP_RESULT_DLQ_TOPIC: string;
}): readonly TopicSpec[] => [
  { topic: config.PSP_RESULT_TOPIC, partitions: config.PSP_RESULT_PARTITIONS },
  {
    topic: config.PSP_RESULT_DLQ_TOPIC,
    partitions: 1,
    configEntries: [{ name: 'max.message.bytes', value: String(deadLetterMaxMessageBytes) }],
  },
];
