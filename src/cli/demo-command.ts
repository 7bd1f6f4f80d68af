import { parseArgs } from 'node:util';
import { MongoClient, type Filter } from 'mongodb';
import { encodePspResultUpdate, type PspResultUpdateEvent } from '../codecs/index.js';
import { decodeEnv, describeEnv } from '../config/env-spec.js';
import { executorEnv } from '../config/executor-env.js';
import { ordersEnv } from '../config/orders-env.js';
import { workerEnv } from '../config/worker-env.js';
import { createKafka, idempotentProducer } from '../kafka/client.js';
import { consumerLag } from '../kafka/consumer-lag.js';
import { isTerminal, outcomeLabel, paymentOrdersCollection, type PaymentOrderDocument } from '../state/index.js';
import { seededRandom } from '../publisher/psp/index.js';
import { createLogger } from '../telemetry/logger.js';
import { disagreementWithTable, quantile, table } from './demo-summary.js';
import { orExplainInvalidEnv } from './explain-invalid-env.js';
import { createOrders, generatedOrders } from './orders-command.js';
import { runExecutorService } from './run-executor.js';
import { runWorker } from './run-worker.js';

const demoEnv = { ...workerEnv, ...executorEnv, ...ordersEnv };

export const demoHelp = `usage: psp-stream demo [--orders N] [--seed S] [--timeout-s T]

The whole flow on one machine: creates N payment orders (default 10,000) through PaymentService's intake,
runs the worker (PspResultUpdateConsumer, with its retry dispatcher) and the executor with simulated
Stripe- and Adyen-like PSPs, adds duplicates and late results on the way, shows live progress, and ends
with a summary: throughput, latency, outcomes, DLQ count, and a check that every order is final and in
the state the transition table gives for the results it recorded. Exits 0 only if that check passes.
While it runs, the worker's metrics are at http://127.0.0.1:$METRICS_PORT/metrics.

Retries and status checks are scheduled in seconds here (RETRY_BASE_MS, CHECK_DELAY_MS) so the demo ends.

environment:
${describeEnv(demoEnv)}`;

/** Seconds, not minutes, unless the environment says otherwise: the demo has to end. */
const demoDefaults: Record<string, string> = {
  RETRY_BASE_MS: '200',
  RETRY_CAP_MS: '2000',
  CHECK_DELAY_MS: '1000',
  DISPATCH_INTERVAL_MS: '200',
  DISPATCH_LEASE_MS: '5000',
  PSP_TIMEOUT_MS: '500',
  PSP_SIM_LATENCY_MS: '20',
  LOG_LEVEL: 'warn',
};

export const runDemoCommand = async (args: readonly string[]): Promise<number> => {
  const parsed = parseArgs({
    args: [...args],
    options: {
      orders: { type: 'string', default: '10000' },
      seed: { type: 'string', default: String(Date.now() % 100_000) },
      'timeout-s': { type: 'string', default: '900' },
    },
    strict: true,
  });
  const orders = Number(parsed.values.orders);
  const seed = Number(parsed.values.seed);
  const timeoutMs = Number(parsed.values['timeout-s']) * 1000;
  if (!Number.isSafeInteger(orders) || orders < 1 || !Number.isSafeInteger(seed) || !(timeoutMs > 0)) {
    console.error('demo: --orders must be a positive integer, --seed an integer, --timeout-s a positive number');
    return 2;
  }
  const env = {
    ...demoDefaults,
    ...Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined && v !== '')),
  };
  const config = orExplainInvalidEnv(decodeEnv(demoEnv, env));
  if (config === undefined) return 2;
  const logger = createLogger({ name: 'psp-stream-demo', level: config.LOG_LEVEL });
  const prefix = `demo-${seed}`;

  const latencies: number[] = [];
  const outcomes = new Map<string, number>();
  let processed = 0;
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: 'psp-stream-demo' }, logger);
  const producer = idempotentProducer(kafka);
  await producer.connect();
  // Real platforms see repeats and stragglers: send ~10% of results again and a late PENDING after ~3% of final ones.
  const random = seededRandom(seed);
  const chance = (p: number): boolean => random() < p;
  const extra: PspResultUpdateEvent[] = [];
  const worker = await runWorker(config, logger, (p, latencyMs) => {
    processed += 1;
    latencies.push(latencyMs);
    const label = p._tag === 'Applied' ? outcomeLabel(p.outcome) : 'dead_lettered';
    outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
    if (p._tag !== 'Applied' || p.outcome._tag !== 'Applied' || !p.event.paymentOrderId.startsWith(prefix)) return;
    if (chance(0.1)) extra.push(p.event);
    if (isTerminal(p.outcome.to) && chance(0.03)) {
      extra.push({ ...p.event, pspStatus: 'PENDING', eventTime: new Date(p.event.eventTime.getTime() - 3_600_000) });
    }
  });
  const executor = await runExecutorService(config, logger);
  console.error(`demo: ${orders} orders, prefix ${prefix}; metrics at http://127.0.0.1:${worker.metricsPort}/metrics`);

  const started = Date.now();
  const intake = await createOrders(config, generatedOrders(orders, seed, prefix), (line) => {
    console.error(line);
  });
  const mongo = await new MongoClient(config.MONGO_URL).connect();
  const ordersCollection = mongo.db(config.MONGO_DB).collection<PaymentOrderDocument>(paymentOrdersCollection);
  const mine: Filter<PaymentOrderDocument> = { _id: { $regex: `^${prefix}-` } };
  const admin = kafka.admin();
  await admin.connect();

  let final = 0;
  let lag = 0;
  let lastProcessed = 0;
  let lastTick = Date.now();
  const deadline = started + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1_000));
    const duplicates = extra.splice(0);
    if (duplicates.length > 0) {
      await producer.send({
        topic: config.PSP_RESULT_TOPIC,
        acks: -1,
        messages: duplicates.map((e) => encodePspResultUpdate(e)),
      });
    }
    final = await ordersCollection.countDocuments({ ...mine, status: { $in: ['SUCCESSFUL', 'DECLINED', 'FAILED'] } });
    lag = (await consumerLag(admin, config.CONSUMER_GROUP, config.PSP_RESULT_TOPIC)).reduce((a, p) => a + p.lag, 0);
    const now = Date.now();
    const rate = ((processed - lastProcessed) * 1000) / (now - lastTick);
    lastProcessed = processed;
    lastTick = now;
    const width = 30;
    const filled = Math.round((final / orders) * width);
    const counts = [...outcomes].map(([k, v]) => `${k} ${v}`).join(' · ');
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${final}/${orders} final · ${rate.toFixed(0)} results/s · lag ${lag} · ${counts}   `,
    );
    if (final === orders && lag === 0 && extra.length === 0) break;
  }
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write('\n');
  await executor.stop();
  await worker.stop();
  await worker.done.catch(() => undefined);
  await admin.disconnect();
  await producer.disconnect();

  const docs = await ordersCollection.find(mine).toArray();
  await mongo.close();
  const disagreements = docs.flatMap((d) => {
    const why = isTerminal(d.status)
      ? disagreementWithTable(d, { maxAttempts: config.MAX_ATTEMPTS })
      : `still ${d.status}`;
    return why === undefined ? [] : [`${d._id}: ${why}`];
  });
  const sorted = [...latencies].sort((a, b) => a - b);
  const status = (s: string) => String(docs.filter((d) => d.status === s).length);
  const ok = docs.length === orders && disagreements.length === 0;
  console.log(
    table([
      ['orders created', `${intake.created} (+${intake.existing} existing, ${intake.rejected} rejected)`],
      ['results processed', String(processed)],
      ['throughput', `${(processed / seconds).toFixed(0)} results/s over ${seconds.toFixed(1)} s`],
      [
        'latency p50 / p95 / p99',
        `${quantile(sorted, 0.5)} / ${quantile(sorted, 0.95)} / ${quantile(sorted, 0.99)} ms`,
      ],
      ...[...outcomes].sort().map(([k, v]): [string, string] => [`outcome ${k}`, String(v)]),
      ['dead-lettered', String(outcomes.get('dead_lettered') ?? 0)],
      ['SUCCESSFUL / DECLINED / FAILED', `${status('SUCCESSFUL')} / ${status('DECLINED')} / ${status('FAILED')}`],
      ['every order final, as the table says', ok ? 'yes' : `NO (${disagreements.length + orders - docs.length})`],
    ]),
  );
  for (const d of disagreements.slice(0, 10)) console.log(`  ${d}`);
  return ok ? 0 : 1;
};
