import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogUpdate } from 'log-update';
import type { Admin } from 'kafkajs';
import { MongoClient, type Filter } from 'mongodb';
import { pino } from 'pino';
import { encodePspResultUpdate, headerValue, type PspResultUpdateEvent } from '../codecs/index.js';
import { decodeEnv, describeEnv } from '../config/env-spec.js';
import { executorEnv } from '../config/executor-env.js';
import { ordersEnv } from '../config/orders-env.js';
import { workerEnv } from '../config/worker-env.js';
import { createKafka, idempotentProducer, kafkaConnectionOf } from '../kafka/client.js';
import { consumerLag } from '../kafka/consumer-lag.js';
import { isTerminal, paymentOrdersCollection, type PaymentOrderDocument } from '../state/index.js';
import { processedLabel } from '../telemetry/worker-observer.js';
import { inMemoryIdempotency, seededRandom } from '../publisher/psp/index.js';
import { createLogger } from '../telemetry/logger.js';
import { openDemoIntake } from './demo-intake.js';
import { ordersDueBy, orderIndexOf, steadyOrders, totalOrders, type DemoPlan } from './demo-schedule.js';
import {
  demoPhases,
  demoTargets,
  disagreementWithTable,
  table,
  verdict,
  waitedCommands,
  windowStats,
  type ResultSample,
} from './demo-summary.js';
import { liveView, plainLine, type DemoSnapshot } from './demo-view.js';
import { orExplainInvalidEnv } from './explain-invalid-env.js';
import { generatedOrders } from './orders-command.js';
import { runExecutorService } from './run-executor.js';
import { runWorker } from './run-worker.js';

const demoEnv = { ...workerEnv, ...executorEnv, ...ordersEnv };

export const demoHelp = `usage: psp-stream demo [--rate R] [--seconds S] [--burst B] [--seed N] [--timeout-s T] [--verbose]

The whole flow on one machine: the worker (PspResultUpdateConsumer, with its retry dispatcher), the executor
with simulated Stripe- and Adyen-like PSPs, and PaymentService's intake running alongside them. Orders come
in at a steady R a second for S seconds (default 150/s for 30 s), then a burst of B orders at once (default
10,000); the demo adds duplicates and late results on the way and runs until every order is final.

From its first second it shows results/s, p50/p99 consumed→written and eventTime→written, the group's lag
and outcomes: redrawn in place in a terminal, one plain line every 5 s when stdout is not a terminal. It
ends with a summary: the steady phase's p99 (target < ${demoTargets.steadyP99Ms} ms), the burst's drain rate (target
≥ ${demoTargets.burstPerSecond.toLocaleString('en-US')} results/s), the retry tail and what it waited on, outcomes, DLQ count, and a check that every
order is final and in the state the transition table gives for the results it recorded. Exits 0 only if
that check passes. Worker metrics: http://127.0.0.1:$METRICS_PORT/metrics while it runs.

Logs (warn and above unless LOG_LEVEL says otherwise) go to a file named in the summary; --verbose writes
them to stderr instead. Retries and status checks are scheduled in seconds here (RETRY_BASE_MS,
CHECK_DELAY_MS) so the demo ends.

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

/** The header that marks a result the demo sent itself (a repeat or a straggler): counted, never timed. */
const injectedHeader = 'psp-stream-demo';

const positive = (s: string | undefined): number => (s === undefined ? Number.NaN : Number(s));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Orders per intake batch (three round trips each) and batches in flight: the burst is created in seconds. */
const intakeBatch = 1_000;
const intakeConcurrency = 4;

/** Waits until every group is Stable with a member (or the time is up: the run then shows the delay). */
const groupsJoined = async (admin: Admin, groups: readonly string[], withinMs: number): Promise<void> => {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    const described = await admin.describeGroups([...groups]).catch(() => ({ groups: [] }));
    const stable = described.groups.filter((g) => g.state === 'Stable' && g.members.length > 0);
    if (stable.length === groups.length) return;
    await sleep(100);
  }
};

const linesIn = (file: string): number => {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '').length;
  } catch {
    return 0;
  }
};

export const runDemoCommand = async (args: readonly string[]): Promise<number> => {
  const parsed = parseArgs({
    args: [...args],
    options: {
      rate: { type: 'string', default: '150' },
      seconds: { type: 'string', default: '30' },
      burst: { type: 'string', default: '10000' },
      seed: { type: 'string', default: String(Date.now() % 100_000) },
      'timeout-s': { type: 'string', default: '600' },
      verbose: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const plan: DemoPlan = {
    rate: positive(parsed.values.rate),
    steadySeconds: positive(parsed.values.seconds),
    burst: positive(parsed.values.burst),
  };
  const seed = Number(parsed.values.seed);
  const timeoutMs = Number(parsed.values['timeout-s']) * 1000;
  if (
    !(plan.rate > 0) ||
    !(plan.steadySeconds >= 0) ||
    !Number.isSafeInteger(plan.burst) ||
    plan.burst < 0 ||
    totalOrders(plan) < 1 ||
    !Number.isSafeInteger(seed) ||
    !(timeoutMs > 0)
  ) {
    console.error(
      'demo: --rate must be > 0, --seconds >= 0, --burst an integer >= 0 (at least one order in all), --seed an integer, --timeout-s > 0',
    );
    return 2;
  }
  const env = {
    ...demoDefaults,
    ...Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined && v !== '')),
  };
  const config = orExplainInvalidEnv(decodeEnv(demoEnv, env));
  if (config === undefined) return 2;
  const prefix = `demo-${seed}`;
  // JSON log lines would tear the live view apart, and the ones a fresh broker provokes (kafkajs' "the
  // coordinator is loading") mean nothing is wrong: they go to a file unless asked for.
  const logFile = join(tmpdir(), `psp-stream-${prefix}.log`);
  const logger = createLogger({
    name: 'psp-stream-demo',
    level: config.LOG_LEVEL,
    destination: parsed.values.verbose ? pino.destination(2) : pino.destination({ dest: logFile, sync: true }),
  });

  const steady = steadyOrders(plan);
  const total = totalOrders(plan);
  const tty = process.stdout.isTTY;
  const draw = tty ? createLogUpdate(process.stdout) : undefined;
  const header = `psp-stream demo · seed ${seed} · steady ${plan.rate}/s × ${plan.steadySeconds} s (${steady.toLocaleString('en-US')} orders), then a burst of ${plan.burst.toLocaleString('en-US')} · worker metrics on :${config.METRICS_PORT}`;
  if (!tty) console.log(header);

  // What the worker wrote, as it wrote it.
  const samples: ResultSample[] = [];
  const outcomes = new Map<string, number>();
  const finalOrders = new Set<number>();
  const firstAnswered = new Set<number>();
  let burstAnswered = 0;
  // Real platforms see repeats and stragglers: send ~10% of results again and a late PENDING after ~3% of final ones.
  const random = seededRandom(seed);
  const chance = (p: number): boolean => random() < p;
  const extra: PspResultUpdateEvent[] = [];
  const onProcessed = (p: Parameters<NonNullable<Parameters<typeof runWorker>[2]>>[0], latencyMs: number): void => {
    const at = Date.now();
    const label = processedLabel(p);
    outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
    const message = p._tag === 'Applied' ? p.message : p.letter.message;
    const injected = headerValue(message.headers, injectedHeader) !== undefined;
    const event = p.event;
    const order = event === undefined ? undefined : orderIndexOf(prefix, event.paymentOrderId);
    const final = p._tag === 'Applied' && p.outcome._tag === 'Applied' && isTerminal(p.outcome.to);
    samples.push({
      at,
      consumedMs: latencyMs,
      eventMs: event === undefined ? undefined : Math.max(0, at - event.eventTime.getTime()),
      order,
      injected,
      final,
    });
    if (order === undefined) return;
    if (!injected && !firstAnswered.has(order)) {
      firstAnswered.add(order);
      if (order >= steady) burstAnswered += 1;
    }
    if (final) finalOrders.add(order);
    if (p._tag !== 'Applied' || p.outcome._tag !== 'Applied' || injected) return;
    if (chance(0.1)) extra.push(p.event);
    if (isTerminal(p.outcome.to) && chance(0.03)) {
      extra.push({ ...p.event, pspStatus: 'PENDING', eventTime: new Date(p.event.eventTime.getTime() - 3_600_000) });
    }
  };

  // The view is up before anything connects: the first seconds show the flow starting, not a blank screen.
  const launchedAt = Date.now();
  // Written by the intake and the monitor loop, read by the view.
  const progress: {
    startedAt: number | undefined;
    burstAt: number | undefined;
    created: number;
    lag: number | undefined;
    intakeDone: boolean;
  } = { startedAt: undefined, burstAt: undefined, created: 0, lag: undefined, intakeDone: false };
  let shownUpTo = 0;
  let lastShown = launchedAt;
  const phase = (): DemoSnapshot['phase'] => {
    if (progress.startedAt === undefined) return 'starting';
    if (finalOrders.size === total) return 'done';
    if (progress.burstAt === undefined) return 'steady';
    return burstAnswered < plan.burst ? 'burst' : 'retry tail';
  };
  const snapshot = (): DemoSnapshot => {
    const now = Date.now();
    const recentSamples = samples.slice(shownUpTo);
    shownUpTo = samples.length;
    const recent = windowStats(recentSamples, lastShown, now + 1);
    lastShown = now;
    return {
      elapsedSeconds: (now - launchedAt) / 1000,
      phase: phase(),
      created: progress.created,
      total,
      final: finalOrders.size,
      results: samples.length,
      recent,
      lag: progress.lag,
      outcomes,
    };
  };
  const show = (): void => {
    if (draw !== undefined) draw(liveView(snapshot(), header));
    else console.log(plainLine(snapshot()));
  };
  const viewTimer = setInterval(show, tty ? 1_000 : 5_000);
  if (draw !== undefined) draw(liveView(snapshot(), header));

  const kafka = createKafka({ ...kafkaConnectionOf(config), clientId: 'psp-stream-demo' }, logger);
  const producer = idempotentProducer(kafka);
  const admin = kafka.admin();
  const [worker, executor, intake] = await Promise.all([
    runWorker(config, logger, onProcessed),
    // The simulated PSPs live in this one process with the executor: what they remember can too (their
    // MongoDB memory, for executors that restart, cost ~3 store round trips per charge).
    runExecutorService(config, logger, { simulatorMemory: inMemoryIdempotency() }),
    openDemoIntake(config, logger),
    producer.connect(),
    admin.connect(),
  ]);
  // Orders sent before both groups own their partitions would only queue: the flow starts when they do.
  await groupsJoined(admin, [config.CONSUMER_GROUP, config.EXECUTOR_GROUP], 60_000);
  const mongo = await new MongoClient(config.MONGO_URL).connect();
  const ordersCollection = mongo.db(config.MONGO_DB).collection<PaymentOrderDocument>(paymentOrdersCollection);
  const mine: Filter<PaymentOrderDocument> = { _id: { $regex: `^${prefix}-` } };

  // Intake, alongside the flow: the schedule says how many orders should exist by now.
  const startedAt = Date.now();
  progress.startedAt = startedAt;
  const lines = generatedOrders(total, seed, prefix);
  const intaking = (async () => {
    const inFlight = new Set<Promise<void>>();
    let next = 0;
    while (next < total) {
      const due = ordersDueBy(plan, Date.now() - startedAt);
      if (next >= due) {
        await sleep(5);
        continue;
      }
      // What is due, in batches that never straddle the start of the burst (its clock starts with its first order).
      const size = Math.min(due - next, intakeBatch, next < steady ? steady - next : Number.POSITIVE_INFINITY);
      const batch: string[] = [];
      while (batch.length < size) {
        const line = lines.next();
        if (line.done === true) break;
        batch.push(line.value);
      }
      if (batch.length === 0) break;
      if (next === steady) progress.burstAt ??= Date.now();
      next += batch.length;
      const p = intake.createMany(batch).finally(() => {
        progress.created += batch.length;
        inFlight.delete(p);
      });
      inFlight.add(p);
      if (inFlight.size >= intakeConcurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  })();

  void intaking.finally(() => {
    progress.intakeDone = true;
  });
  const deadline = startedAt + timeoutMs;
  while (Date.now() < deadline) {
    await sleep(250);
    const duplicates = extra.splice(0);
    if (duplicates.length > 0) {
      await producer.send({
        topic: config.PSP_RESULT_TOPIC,
        acks: -1,
        messages: duplicates.map((e) => {
          const record = encodePspResultUpdate(e);
          return { ...record, headers: { ...record.headers, [injectedHeader]: 'injected' } };
        }),
      });
    }
    try {
      progress.lag = (await consumerLag(admin, config.CONSUMER_GROUP, config.PSP_RESULT_TOPIC)).reduce(
        (a, p) => a + p.lag,
        0,
      );
    } catch (error) {
      logger.debug({ err: error }, 'demo: lag not read');
    }
    // Every order final by what the worker reported: confirm in the store once, then stop.
    if (progress.intakeDone && finalOrders.size === total && progress.lag === 0 && extra.length === 0) {
      const final = await ordersCollection.countDocuments({
        ...mine,
        status: { $in: ['SUCCESSFUL', 'DECLINED', 'FAILED'] },
      });
      if (final === total) break;
    }
  }
  const endedAt = Date.now();
  clearInterval(viewTimer);
  show();
  draw?.done();
  await intaking;
  await Promise.all([intake.close(), executor.stop(), worker.stop()]);
  await worker.done.catch(() => undefined);
  await Promise.allSettled([admin.disconnect(), producer.disconnect()]);

  const docs = await ordersCollection.find(mine).toArray();
  const collectionSize = await ordersCollection.estimatedDocumentCount();
  await mongo.close();
  const disagreements = docs.flatMap((d) => {
    const why = isTerminal(d.status)
      ? disagreementWithTable(d, { maxAttempts: config.MAX_ATTEMPTS })
      : `still ${d.status}`;
    return why === undefined ? [] : [`${d._id}: ${why}`];
  });
  const ok = docs.length === total && disagreements.length === 0;
  const phases = demoPhases(samples, waitedCommands(docs), {
    startedAt,
    burstAt: progress.burstAt,
    steadyOrders: steady,
    burstOrders: plan.burst,
    endedAt,
  });
  const runSeconds = process.uptime();
  const fmt = (x: number): string => (Number.isNaN(x) ? '–' : Math.round(x).toLocaleString('en-US'));
  const s = phases.steady;
  const b = phases.burst;
  const t = phases.tail;
  const status = (st: string): string => String(docs.filter((d) => d.status === st).length);
  const ms = (x: number): string => `${fmt(x)} ms`;
  const rows: [string, string][] = [
    ['orders', `${fmt(steady)} steady + ${fmt(plan.burst)} burst; ${fmt(collectionSize)} documents in the store`],
    [
      'intake',
      `${fmt(intake.tally.created)} created, ${fmt(intake.tally.existing)} existing, ${fmt(intake.tally.rejected)} rejected`,
    ],
    ['steady: results', `${fmt(s.count)} in ${s.seconds.toFixed(1)} s = ${fmt(s.perSecond)}/s`],
    [
      'steady: consumed→written p50 / p99',
      `${fmt(s.consumed.p50)} / ${ms(s.consumed.p99)}  p99 < ${demoTargets.steadyP99Ms} ms: ${verdict(s.consumed.p99 < demoTargets.steadyP99Ms)}`,
    ],
    [
      'steady: eventTime→written p50 / p99',
      `${fmt(s.event.p50)} / ${ms(s.event.p99)}  p99 < ${demoTargets.steadyP99Ms} ms: ${verdict(s.event.p99 < demoTargets.steadyP99Ms)}; customer's < 1 s: ${verdict(s.event.p99 < demoTargets.customerP99Ms)}`,
    ],
    ...(b === undefined
      ? []
      : ([
          [
            'burst: drain',
            `${fmt(b.stats.count)} results in ${b.stats.seconds.toFixed(1)} s = ${fmt(b.stats.perSecond)}/s  ≥ ${fmt(demoTargets.burstPerSecond)}/s: ${verdict(b.answered === plan.burst && b.stats.perSecond >= demoTargets.burstPerSecond)}`,
          ],
          [
            'burst: orders answered',
            `${fmt(b.answered)} of ${fmt(plan.burst)}, from the first burst result to the last first answer`,
          ],
          [
            'burst: p99 consumed→ / eventTime→written',
            `${fmt(b.stats.consumed.p99)} / ${ms(b.stats.event.p99)} (a backlog: time queued counts)`,
          ],
        ] satisfies [string, string][])),
    ['retry tail', `${t.seconds.toFixed(1)} s, ${fmt(t.results)} results, until the last order was final`],
    [
      'retry tail: waited on',
      `${fmt(t.retries)} retries (backoff ${fmt(config.RETRY_BASE_MS)}–${fmt(config.RETRY_CAP_MS)} ms, full jitter), ${fmt(t.checks)} status checks (${fmt(config.CHECK_DELAY_MS)} ms delay): by design`,
    ],
    [
      'retry tail: longest wait / dispatch late p99',
      `${ms(t.longestWaitMs)} / ${ms(t.lateP99Ms)} (DISPATCH_INTERVAL_MS ${fmt(config.DISPATCH_INTERVAL_MS)})`,
    ],
    ...[...outcomes].sort().map(([k, v]): [string, string] => [`outcome ${k}`, fmt(v)]),
    ['dead-lettered', fmt(outcomes.get('dead_lettered') ?? 0)],
    ['SUCCESSFUL / DECLINED / FAILED', `${status('SUCCESSFUL')} / ${status('DECLINED')} / ${status('FAILED')}`],
    [
      'run',
      `${runSeconds.toFixed(1)} s in this process  ≤ ${demoTargets.runSeconds} s: ${verdict(runSeconds <= demoTargets.runSeconds)}`,
    ],
    [
      'logs',
      parsed.values.verbose
        ? `stderr (LOG_LEVEL ${config.LOG_LEVEL})`
        : `${linesIn(logFile)} lines (${config.LOG_LEVEL} and above) in ${logFile}`,
    ],
    ['every order final, as the table says', ok ? 'yes' : `NO (${disagreements.length + total - docs.length})`],
  ];
  console.log(table(rows));
  for (const d of disagreements.slice(0, 10)) console.log(`  ${d}`);
  for (const p of intake.problems) console.log(`  intake: ${p}`);
  return ok ? 0 : 1;
};
