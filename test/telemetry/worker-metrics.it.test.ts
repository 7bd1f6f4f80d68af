import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runWorker } from '../../src/cli/run-worker.js';
import {
  insertInitiatedOrders,
  planOrders,
  publicationOrder,
  publish,
  seededRandom,
  waitForCommitted,
} from '../support/psp-results.js';
import { testLogger, uniqueName, useRealStack } from '../support/real-stack.js';
import { workerTestConfig, workerTestEnv, workerTopics } from '../support/worker-config.js';
import { eventKeyOf } from '../../src/codecs/index.js';
import { createExecutorMetrics } from '../../src/telemetry/executor-metrics.js';

const sample = (metrics: string, name: string, labels: string): number => {
  const series = labels === '' ? `${name} ` : `${name}{${labels}} `;
  const line = metrics.split('\n').find((l) => l.startsWith(series));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
};

/** Metric names a PromQL expression reads, with histogram series mapped to their metric. */
const metricsIn = (expr: string): readonly string[] =>
  [...expr.matchAll(/\b([a-z_]+_(?:total|seconds(?:_bucket)?|lag|pending))\b/g)].map(([, m = '']) =>
    m.replace(/_bucket$/, ''),
  );

describe('the worker’s metrics and dashboard', () => {
  const stack = useRealStack();
  const { admin, producer } = stack;
  let metrics = '';
  let expected = { processed: 0, duplicate: 0, ignored: 0, distinct: 0 };

  beforeAll(async () => {
    const names = await workerTopics(admin, 'metrics', stack.store.db.databaseName);
    const random = seededRandom(5);
    const orders = planOrders(400, uniqueName('metrics-order'), random);
    const events = publicationOrder(orders, 0.2, random);
    await insertInitiatedOrders(
      stack.store.db,
      orders.map((o) => o.id),
    );
    await publish(producer, names.topic, events);
    await producer.send({ topic: names.topic, acks: -1, messages: [{ key: 'garbage', value: 'not json' }] });
    const distinct = new Set(events.map(eventKeyOf)).size;
    expected = {
      processed: events.length + 1,
      duplicate: events.length - distinct,
      ignored: orders.filter((o) => o.scenario.name === 'late-after-final').length,
      distinct,
    };

    const worker = await runWorker(workerTestConfig({ ...workerTestEnv(names), LAG_REFRESH_MS: '200' }), testLogger);
    await waitForCommitted(admin, names.group, names.topic, 120_000);
    await new Promise((r) => setTimeout(r, 600));
    metrics = await (await fetch(`http://127.0.0.1:${worker.metricsPort}/metrics`)).text();
    await worker.stop();
    await worker.done;
  });

  it('counts every processed result once, by outcome', () => {
    const applied = sample(metrics, 'psp_results_processed_total', 'outcome="applied"');
    const duplicate = sample(metrics, 'psp_results_processed_total', 'outcome="duplicate"');
    const ignored = sample(metrics, 'psp_results_processed_total', 'outcome="ignored_terminal"');
    const dead = sample(metrics, 'psp_results_processed_total', 'outcome="dead_lettered"');
    expect({ applied, duplicate, ignored, dead }).toEqual({
      applied: expected.distinct - expected.ignored,
      duplicate: expected.duplicate,
      ignored: expected.ignored,
      dead: 1,
    });
    expect(sample(metrics, 'psp_results_processing_seconds_count', '')).toBe(expected.processed);
  });

  it('reports the consumer lag per partition, down to zero once everything is committed', () => {
    const lags = metrics.split('\n').filter((l) => l.startsWith('psp_worker_consumergroup_lag{'));
    expect(lags).toHaveLength(12);
    expect(lags.every((l) => l.endsWith(' 0'))).toBe(true);
  });

  it('has a dashboard whose every panel queries a metric the worker, the executor or kafka-exporter exports', async () => {
    const dashboard = JSON.parse(readFileSync('ops/grafana/dashboards/psp-stream.json', 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const executor = await createExecutorMetrics().registry.metrics();
    const exported = new Set(
      `${metrics}\n${executor}`
        .split('\n')
        .filter((l) => l.startsWith('# TYPE '))
        .map((l) => l.split(' ')[2]),
    );
    exported.add('kafka_consumergroup_lag');
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(6);
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const names = metricsIn(target.expr);
        expect(
          names.length + (target.expr.startsWith('up{') ? 1 : 0),
          `${panel.title}: ${target.expr}`,
        ).toBeGreaterThan(0);
        for (const name of names) expect(exported, `${panel.title} reads ${name}`).toContain(name);
      }
    }
  });

  it('never puts an id in a label', () => {
    const labelValues = [...metrics.matchAll(/="([^"]*)"/g)].map(([, v = '']) => v);
    expect(labelValues.filter((v) => v.includes('metrics-order'))).toEqual([]);
  });
});
