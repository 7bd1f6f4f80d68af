import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { PaymentOrderId } from '../../src/codecs/index.js';
import { ensureTopics } from '../../src/kafka/topics.js';
import { simulatorCollections } from '../../src/publisher/psp/index.js';
import { isTerminal, labelOfRecorded, type PaymentOrderDocument } from '../../src/state/index.js';
import { latencyBuckets } from '../../src/telemetry/worker-metrics.js';
import { freePort } from '../../src/stack/free-port.js';
import { hostileMessages } from '../support/hostile-messages.js';
import { startPspStream, stopGently, type PspStreamProcess } from '../support/processes.js';
import { seededRandom } from '../support/psp-results.js';
import { endpoints, uniqueName, useRealStack } from '../support/real-stack.js';
import { readWholeTopic } from '../support/topic-reader.js';

/**
 * The dashboard and the alert rules, proven on a real Prometheus (Debian's 2.42, installed by .ci/run)
 * scraping a real worker pair and executor every second through a short run of the whole loop, with one
 * worker paused past its session (so the other reads its uncommitted records again). Every panel expression
 * and every rule is evaluated through the HTTP API and set against the truth read from MongoDB and Kafka.
 */
const prometheusBin = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).stdout.trim();
const promtoolBin = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' }).stdout.trim();
const promPort = Number(process.env['PSP_PROMETHEUS_PORT'] ?? 46090);
const orders = 200;
const badRecords = 24;

if (prometheusBin === '') {
  console.warn(
    'prometheus.it.test.ts SKIPPED: no `prometheus` binary on PATH (.ci/run installs it: apt-get install -y --no-install-recommends prometheus)',
  );
}

interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

const api = async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
  const url = new URL(`http://127.0.0.1:${promPort}${path}`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const body = (await (await fetch(url)).json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.error ?? body.status}`);
  return body.data;
};

const query = async (expr: string, time?: number): Promise<readonly Sample[]> => {
  const data = await api<{ resultType: string; result: Sample[] }>('/api/v1/query', {
    query: expr,
    ...(time === undefined ? {} : { time: String(time / 1000) }),
  });
  return data.result;
};

const valueOf = (s: Sample): number => Number(s.value[1]);
const byLabel = (samples: readonly Sample[], label: string): Record<string, number> =>
  Object.fromEntries(samples.map((s) => [s.metric[label] ?? '', valueOf(s)]));

const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
};

interface Dashboard {
  readonly panels: readonly { readonly title: string; readonly targets: readonly { readonly expr: string }[] }[];
}
interface RuleGroup {
  readonly rules: readonly { readonly alert?: string; readonly record?: string; readonly expr: string }[];
}

describe.skipIf(prometheusBin === '')('the dashboard and alert rules on a real Prometheus', () => {
  const stack = useRealStack();
  const { kafka, admin, producer } = stack;
  const dir = mkdtempSync(join(tmpdir(), 'psp-prometheus-'));
  const running: PspStreamProcess[] = [];
  let prometheus: ChildProcess | undefined;

  afterAll(async () => {
    for (const p of running) await stopGently(p);
    if (prometheus !== undefined && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus?.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes promtool check config and check rules', () => {
    const config = spawnSync(promtoolBin, ['check', 'config', 'ops/prometheus/prometheus.yml'], { encoding: 'utf8' });
    expect(config.status, config.stdout + config.stderr).toBe(0);
    const rules = spawnSync(promtoolBin, ['check', 'rules', 'ops/prometheus/rules/psp-stream.yml'], {
      encoding: 'utf8',
    });
    expect(rules.status, rules.stdout + rules.stderr).toBe(0);
  });

  it('returns a plausible value for every panel and rule, each set against MongoDB and Kafka, and fires the worker-down alert', async () => {
    // The result topic keeps its default name as a prefix: the alert rules select it by that name.
    const names = {
      results: uniqueName('psp-result-updates'),
      resultsDlq: uniqueName('prom-results-dlq'),
      commands: uniqueName('prom-commands'),
      commandsDlq: uniqueName('prom-commands-dlq'),
    };
    await ensureTopics(admin, [
      { topic: names.results, partitions: 12 },
      { topic: names.resultsDlq, partitions: 1 },
      { topic: names.commands, partitions: 12 },
      { topic: names.commandsDlq, partitions: 1 },
    ]);
    const [workerPort, secondWorkerPort, executorPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const group = uniqueName('prom-workers');
    const env: Record<string, string> = {
      KAFKA_BROKERS: endpoints().brokers.join(','),
      MONGO_URL: endpoints().mongoUrl,
      MONGO_DB: stack.store.db.databaseName,
      PSP_RESULT_TOPIC: names.results,
      PSP_RESULT_DLQ_TOPIC: names.resultsDlq,
      PSP_COMMAND_TOPIC: names.commands,
      PSP_COMMAND_DLQ_TOPIC: names.commandsDlq,
      CONSUMER_GROUP: group,
      EXECUTOR_GROUP: uniqueName('prom-executors'),
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      EXECUTOR_METRICS_PORT: String(executorPort),
      LAG_REFRESH_MS: '500',
      LOG_LEVEL: 'warn',
      UNKNOWN_ORDER_RETRIES: '1',
      RETRY_BASE_MS: '100',
      RETRY_CAP_MS: '1000',
      CHECK_DELAY_MS: '500',
      DISPATCH_INTERVAL_MS: '200',
      DISPATCH_LEASE_MS: '2000',
      COMMAND_GRACE_MS: '3000',
      PSP_SIM_PROFILE: 'flaky',
      PSP_TIMEOUT_MS: '200',
      PSP_SIM_LATENCY_MS: '5',
    };
    const worker = startPspStream(['worker'], { ...env, METRICS_PORT: String(workerPort) });
    const secondWorker = startPspStream(['worker'], { ...env, METRICS_PORT: String(secondWorkerPort) });
    const executor = startPspStream(['executor'], env);
    running.push(worker, secondWorker, executor);

    // The shipped configuration and rules, with this run's targets, a 1 s scrape and evaluation, and every
    // `for` shortened to 2 s so that an alert can fire within the test.
    const shipped = parse(readFileSync('ops/prometheus/prometheus.yml', 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets: Record<string, string[]> = {
      'psp-stream-worker': [`127.0.0.1:${workerPort}`, `127.0.0.1:${secondWorkerPort}`],
      'psp-stream-executor': [`127.0.0.1:${executorPort}`],
    };
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '900ms' },
      rule_files: ['rules/*.yml'],
      scrape_configs: shipped.scrape_configs
        .filter((s) => targets[s.job_name] !== undefined)
        .map((s) => ({ ...s, static_configs: [{ targets: targets[s.job_name] }] })),
    };
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const rulesText = readFileSync('ops/prometheus/rules/psp-stream.yml', 'utf8');
    writeFileSync(join(dir, 'rules', 'psp-stream.yml'), rulesText.replace(/^(\s+)for: \S+$/gm, '$1for: 2s'));
    const ruleGroups = (parse(rulesText) as { groups: RuleGroup[] }).groups;
    expect(ruleGroups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined).length).toBeGreaterThanOrEqual(7);

    prometheus = spawn(
      prometheusBin,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let promLog = '';
    prometheus.stderr?.on('data', (chunk: Buffer) => {
      promLog = (promLog + chunk.toString()).slice(-4_000);
    });
    await waitFor(
      'Prometheus ready',
      async () => ((await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok ? true : undefined),
      60_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)} (exit ${String(prometheus?.exitCode)}); its log:\n${promLog}`, {
        cause: error,
      });
    });
    // Every target scraped at least once before any traffic: counters are seen at 0 first.
    await waitFor(
      'all three targets up',
      async () => ((await query('up == 1')).length === 3 ? true : undefined),
      60_000,
    );
    await sleep(1_500);
    const trafficStarted = Date.now();

    // Traffic: orders through the intake CLI (→ commands → executor → PSP → results → workers), bad records.
    const prefix = uniqueName('prom-order');
    const intake = startPspStream(
      ['orders', 'create', '--count', String(orders), '--seed', '7', '--prefix', prefix],
      env,
    );
    const hostile = hostileMessages(
      badRecords,
      seededRandom(16),
      Array.from({ length: 5 }, (_, i) => `${prefix}-${i}` as PaymentOrderId),
    ).filter((m) => m.reason !== 'value-too-large');
    await producer.send({
      topic: names.results,
      acks: -1,
      messages: hostile.map((m) => ({ key: m.key, value: m.value, headers: { ...m.headers } })),
    });
    expect(await intake.exited, intake.output()).toBe(0);

    // One worker paused past its session: the other takes its partitions and reads its uncommitted records again.
    await sleep(1_500);
    worker.child.kill('SIGSTOP');
    await sleep(9_000);
    worker.child.kill('SIGCONT');

    const ordersOf = () =>
      stack.store.db
        .collection<PaymentOrderDocument>('payment_orders')
        .find({ _id: { $regex: `^${prefix}-` } } as never)
        .toArray();
    const docs = await waitFor(
      'every order final',
      async () => {
        const all = await ordersOf();
        return all.length === orders && all.every((d) => isTerminal(d.status)) ? all : undefined;
      },
      90_000,
    );
    let lagSeen = '';
    const lagZero = async () => {
      const [ends, committed] = await Promise.all([
        admin.fetchTopicOffsets(names.results),
        admin.fetchOffsets({ groupId: group, topics: [names.results] }),
      ]);
      const at = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      const behind = ends.filter((p) => Number(p.high) !== Math.max(Number(p.low), at.get(p.partition) ?? -1));
      lagSeen = behind.map((p) => `p${p.partition} end ${p.high} committed ${at.get(p.partition) ?? -1}`).join(', ');
      return behind.length === 0 ? ends.length : undefined;
    };
    const partitions = await waitFor('the group committed everything', lagZero, 30_000).catch((error: unknown) => {
      // What an on-call engineer would look at first: which partitions are behind, and what the workers said.
      const tail = (p: PspStreamProcess) => p.output().slice(-3_000);
      throw new Error(
        `${String(error)}; behind: ${lagSeen}\n--- worker 1 ---\n${tail(worker)}\n--- worker 2 ---\n${tail(secondWorker)}`,
        { cause: error },
      );
    });
    // ---- the truth, from MongoDB and Kafka ----
    const history = docs.flatMap((d) => d.history.filter((h) => h.kind === 'psp-result'));
    const countOutcome = (o: string) => history.filter((h) => labelOfRecorded(h.outcome) === o).length;
    const dlq = await readWholeTopic(kafka, admin, names.resultsDlq);
    const dlqByReason: Record<string, number> = {};
    for (const m of dlq) {
      const reason = m.headers?.['dlq-reason']?.toString() ?? '?';
      dlqByReason[reason] = (dlqByReason[reason] ?? 0) + 1;
    }
    const charges = await stack.store.db
      .collection<{ _id: string; count: number }>(simulatorCollections().charges)
      .find({ _id: { $regex: `^${prefix}-` } } as never)
      .toArray();
    const published = (await readWholeTopic(kafka, admin, names.results)).length - hostile.length;
    const truth = {
      applied: countOutcome('applied'),
      stale: countOutcome('stale'),
      ignored_terminal: countOutcome('ignored_terminal'),
      invalid_transition: countOutcome('invalid_transition'),
      dead_lettered: dlq.length,
      orders_created: orders,
      charges: charges.reduce((a, c) => a + c.count, 0),
      published,
      retries_scheduled: history.filter((h) => h.to === 'RETRY_PENDING').length,
    };

    // ---- what Prometheus says: each worker process ran through (a pause is no restart), so its counters are totals ----
    const seenAt = async (time: number) => {
      const at = (expr: string) => query(expr, time);
      const total = async (expr: string) => valueOf((await at(expr))[0] ?? { metric: {}, value: [0, 'NaN'] });
      const processed = byLabel(await at('sum by (outcome) (psp_results_processed_total)'), 'outcome');
      const deadByReason = byLabel(await at('sum by (reason) (psp_results_dead_lettered_total)'), 'reason');
      const seen = {
        applied: processed['applied'],
        stale: processed['stale'],
        ignored_terminal: processed['ignored_terminal'],
        invalid_transition: processed['invalid_transition'],
        dead_lettered: processed['dead_lettered'],
        orders_created: await total('max(psp_orders_created_total)'),
        charges: await total('sum(psp_charges_total)'),
        published: await total('sum(psp_results_published_total)'),
        retries_scheduled: await total('sum(psp_retries_scheduled_total)'),
      };
      return { processed, deadByReason, seen };
    };
    // Prometheus sees a counter one scrape and one lag refresh after it moved, later on a loaded machine: the
    // end of the run is the first moment its view agrees with the truth (or, after 20 s, the last look).
    await sleep(3_000); // two lag refreshes and a few scrapes after the last commit
    let end = Date.now();
    let view = await seenAt(end);
    for (const giveUp = end + 20_000; JSON.stringify(view.seen) !== JSON.stringify(truth) && Date.now() < giveUp;) {
      await sleep(500);
      end = Date.now();
      view = await seenAt(end);
    }
    const { processed, deadByReason, seen } = view;
    const windowS = Math.ceil((end - trafficStarted) / 1000) + 5;
    const at = (expr: string) => query(expr, end);
    console.log(
      `prometheus vs truth (${orders} orders, ${hostile.length} bad records, window ${windowS} s):\n` +
        Object.entries(truth)
          .map(
            ([k, v]) => `  ${k.padEnd(20)} prometheus ${String(seen[k as keyof typeof seen]).padStart(6)}  truth ${v}`,
          )
          .join('\n') +
        `\n  redelivered          prometheus ${processed['redelivered']}  (records read again after the pause)` +
        `\n  duplicate            prometheus ${processed['duplicate']}` +
        `\n  dead letters by reason: prometheus ${JSON.stringify(deadByReason)}  DLQ ${JSON.stringify(dlqByReason)}`,
    );
    expect(seen).toEqual(truth);
    for (const [reason, n] of Object.entries(dlqByReason)) expect(deadByReason[reason], reason).toBe(n);
    expect(Object.values(deadByReason).reduce((a, n) => a + n, 0)).toBe(dlq.length);

    // ---- every counter shows its first step: its earliest sample in the run is 0 ----
    for (const expr of [
      'psp_results_processed_total{outcome="applied"}',
      'psp_results_processed_total{outcome="dead_lettered"}',
      'psp_results_dead_lettered_total',
      'psp_results_published_total',
      'psp_charges_total',
      'psp_orders_created_total',
    ]) {
      const firsts = await at(`min_over_time(${expr}[${windowS}s])`);
      expect(firsts.length, expr).toBeGreaterThan(0);
      for (const s of firsts) expect(valueOf(s), `${expr} ${JSON.stringify(s.metric)}`).toBe(0);
    }

    // ---- every panel's every expression, over the run ----
    const dashboard = JSON.parse(readFileSync('ops/grafana/dashboards/psp-stream.json', 'utf8')) as Dashboard;
    const report: string[] = [];
    const topEdge = latencyBuckets.at(-1) ?? Infinity;
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const expr = target.expr.replaceAll('$__rate_interval', `${windowS}s`);
        const result = await at(expr);
        const values = result.map(valueOf);
        report.push(
          `  ${panel.title}: ${expr}\n    = ${result.map((s) => `${JSON.stringify(s.metric)} ${s.value[1]}`).join(', ')}`,
        );
        expect(result.length, `${panel.title}: ${expr} returned nothing`).toBeGreaterThan(0);
        for (const v of values) expect(Number.isFinite(v), `${panel.title}: ${expr} = ${v}`).toBe(true);
        if (expr.startsWith('histogram_quantile')) {
          for (const v of values) {
            expect(v, `${panel.title}: ${expr}`).toBeGreaterThan(0);
            expect(v, `${panel.title}: ${expr} stuck at the top bucket`).toBeLessThan(topEdge);
            // A quantile is interpolated inside its bucket: it can read up to the edge of the bucket the run ends in.
            const runEdge = latencyBuckets.find((edge) => edge >= windowS) ?? topEdge;
            expect(v, `${panel.title}: ${expr} longer than the run`).toBeLessThanOrEqual(runEdge);
          }
        }
      }
    }
    // rates over the window, times the window, come near the totals (Prometheus extrapolates to the edges)
    const appliedRate = valueOf(
      (await at(`sum by (outcome) (rate(psp_results_processed_total{outcome="applied"}[${windowS}s]))`))[0] ?? {
        metric: {},
        value: [0, '0'],
      },
    );
    expect(appliedRate * windowS).toBeGreaterThan(truth.applied * 0.8);
    expect(appliedRate * windowS).toBeLessThan(truth.applied * 1.25);
    const lag = await at(
      'max by (consumergroup, topic, partition) (kafka_consumergroup_lag or psp_worker_consumergroup_lag)',
    );
    const resultLag = lag.filter((s) => s.metric['topic'] === names.results);
    expect(resultLag).toHaveLength(partitions);
    expect(resultLag.map(valueOf).every((v) => v === 0)).toBe(true);
    console.log(`every dashboard expression at the end of the run:\n${report.join('\n')}`);

    // ---- every rule evaluates; the signals hold data; the dead-letter alert fires, the down alerts do not ----
    const rules = await api<{
      groups: { rules: { name: string; type: string; health: string; lastError?: string; state?: string }[] }[];
    }>('/api/v1/rules');
    const loaded = rules.groups.flatMap((g) => g.rules);
    expect(loaded.length).toBe(ruleGroups.flatMap((g) => g.rules).length);
    for (const r of loaded) expect(r.health, `${r.name}: ${r.lastError ?? ''}`).toBe('ok');
    for (const r of ruleGroups.flatMap((g) => g.rules)) {
      const result = await at(r.expr);
      report.push(`  rule ${r.alert ?? r.record ?? ''}: ${result.length} series`);
      if (r.record !== undefined) expect(result.length, `${r.record} returned nothing`).toBeGreaterThan(0);
    }
    const firing = async () =>
      new Set(
        (await api<{ alerts: { labels: { alertname: string }; state: string }[] }>('/api/v1/alerts')).alerts
          .filter((a) => a.state === 'firing')
          .map((a) => a.labels.alertname),
      );
    const firingAtEnd = await firing();
    console.log(`alerts firing at the end of the run: ${[...firingAtEnd].join(', ') || 'none'}`);
    expect(firingAtEnd.has('PspDeadLettersArriving')).toBe(true);
    for (const quiet of ['PspWorkerDown', 'PspWorkerAbsent', 'PspExecutorDown', 'PspNoProgressWhileLagging']) {
      expect(firingAtEnd.has(quiet), quiet).toBe(false);
    }

    // ---- the workers stop: the worker-down and no-worker alerts fire ----
    expect(await stopGently(worker), worker.output()).toBe(0);
    expect(await stopGently(secondWorker), secondWorker.output()).toBe(0);
    const stopped = Date.now();
    await waitFor(
      'PspWorkerDown and PspWorkerAbsent firing',
      async () => {
        const now = await firing();
        return now.has('PspWorkerDown') && now.has('PspWorkerAbsent') ? true : undefined;
      },
      30_000,
    );
    console.log(
      `PspWorkerDown and PspWorkerAbsent fired ${((Date.now() - stopped) / 1000).toFixed(1)} s after the stop`,
    );
    expect(promLog).not.toMatch(/level=error/);
  }, 170_000);
});
