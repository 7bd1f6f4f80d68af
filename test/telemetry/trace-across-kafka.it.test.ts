import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ensureTopics } from '../../src/kafka/topics.js';
import { insertInitiatedOrders, waitForCommitted } from '../support/psp-results.js';
import { endpoints, uniqueName, useRealStack } from '../support/real-stack.js';
import type { PaymentOrderId } from '../../src/codecs/index.js';

interface LogLine {
  readonly msg: string;
  readonly trace_id?: string;
  readonly traceId?: string;
  readonly spanId?: string;
  readonly paymentOrderId?: string;
}

/** Runs a psp-stream command with tracing on, as production does, and collects its JSON log lines. */
const runTraced = (args: readonly string[], env: Record<string, string>) => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './src/telemetry/tracing.ts', 'src/cli/main.ts', ...args],
    { env: { ...process.env, ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines: LogLine[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) if (part.startsWith('{')) lines.push(JSON.parse(part) as LogLine);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, lines, exited };
};

describe('one trace from the PSP call to the state write', () => {
  const stack = useRealStack();
  const { admin } = stack;

  it("gives the consumer's log line the trace id of the executor's log line for the same result", async () => {
    const names = { topic: uniqueName('traced'), dlq: uniqueName('traced-dlq'), group: uniqueName('traced-group') };
    await ensureTopics(admin, [
      { topic: names.topic, partitions: 3 },
      { topic: names.dlq, partitions: 1 },
    ]);
    const env = {
      KAFKA_BROKERS: endpoints().brokers.join(','),
      MONGO_URL: endpoints().mongoUrl,
      MONGO_DB: stack.store.db.databaseName,
      PSP_RESULT_TOPIC: names.topic,
      PSP_RESULT_DLQ_TOPIC: names.dlq,
      CONSUMER_GROUP: names.group,
      PSP_SIM_LATENCY_MS: '1',
      METRICS_PORT: '0',
      EXECUTOR_METRICS_PORT: '0',
      OTEL_TRACES_EXPORTER: 'none',
    };
    const prefix = uniqueName('traced-order');
    await insertInitiatedOrders(
      stack.store.db,
      Array.from({ length: 20 }, (_, i) => `${prefix}-${i}` as PaymentOrderId),
    );

    const executor = runTraced(['executor', '--orders', '20', '--prefix', prefix], env);
    expect(await executor.exited).toBe(0);
    const worker = runTraced(['worker'], env);
    await waitForCommitted(admin, names.group, names.topic, 60_000);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);

    const published = executor.lines.filter((l) => l.msg === 'psp result recorded in outbox');
    const consumed = new Map(
      worker.lines.filter((l) => l.msg === 'psp result processed').map((l) => [l.paymentOrderId, l]),
    );
    expect(published).toHaveLength(20);
    for (const line of published) {
      expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
      const after = consumed.get(line.paymentOrderId);
      expect(after?.traceId, line.paymentOrderId).toBe(line.traceId);
      expect(after?.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(after?.spanId).not.toBe(line.spanId);
      // Exactly one trace id on the line: the record's own, none injected from whatever span was active.
      expect(after?.trace_id).toBeUndefined();
    }
  });
});
