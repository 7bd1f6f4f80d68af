import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import { createKafka } from '../src/kafka/client.js';
import { createLogger } from '../src/telemetry/logger.js';
import { parseArgs, standInRows, unindexedRows } from './args.js';
import type { BenchContext } from './context.js';
import { planEvents, type EventPlan } from './events.js';
import { benchProducer, createTopic, produceBacklog, type Produced } from './load.js';
import { machineInfo } from './machine.js';
import { cpuMeter, freshName, round, runId, setServerPids } from './measure.js';
import { pidListeningOn, portsOf } from './server-pids.js';
import { installCommandCounter } from './mongo-commands.js';
import { runLatency } from './phases/latency.js';
import { runNaive } from './phases/naive.js';
import { runConcurrentNaive } from './phases/naive-concurrent.js';
import { runPipeline } from './phases/pipeline.js';
import { runStoreLimit, warmUpStandIn } from './phases/store-limit.js';
import { runTransport } from './phases/transport.js';
import { runWorkerE2e } from './phases/worker-e2e.js';
import { renderProfile, type ProfileSummary } from './profile-summary.js';
import { ratiosOf, renderReport, saveReport, type StandInSet } from './report.js';
import type { LatencyRow, StandInInfo, ThroughputRow } from './rows.js';
import { describeStandIn, startUnindexedStandIn, type StartedStandIn } from './stand-ins.js';

/**
 * The benchmark: rows a–e and n (f on request) in one run against the local Kafka and MongoDB stand-in (KAFKA_BROKERS and
 * MONGO_URL from the environment: `npm run bench` provides them), printed as a table and saved as JSON.
 */
const log = (line: string): void => {
  console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
};

const describePlan = (plan: EventPlan): Record<string, unknown> => ({
  orders: plan.orders.length,
  events: plan.events.length,
  duplicates: plan.duplicates,
  duplicateShare: round(plan.duplicates / plan.events.length, 3),
});

const cleanUp = async (ctx: BenchContext): Promise<void> => {
  if (ctx.createdTopics.length > 0) {
    // Topics made by runWorker may not exist if it failed early: delete only what is there.
    const existing = new Set(await ctx.admin.listTopics());
    const topics = [...new Set(ctx.createdTopics)].filter((t) => existing.has(t));
    if (topics.length > 0) await ctx.admin.deleteTopics({ topics, timeout: 30_000 });
    log(`deleted topics: ${topics.join(', ')}`);
  }
  for (const name of ctx.createdDbs) await ctx.mongo.db(name).dropDatabase();
  if (ctx.createdDbs.length > 0) log(`dropped databases: ${ctx.createdDbs.join(', ')}`);
};

const main = async (): Promise<number> => {
  const args = parseArgs(process.argv.slice(2));
  const brokers = process.env['KAFKA_BROKERS'];
  const mongoUrl = process.env['MONGO_URL'];
  if (!brokers || !mongoUrl) {
    console.error(
      'KAFKA_BROKERS and MONGO_URL are unset: run `npm run bench` (it starts the local stack), or set them',
    );
    return 2;
  }
  installCommandCounter();
  const ports = portsOf(brokers, mongoUrl);
  const brokerPid = ports.broker === undefined ? undefined : pidListeningOn(ports.broker);
  const storePid = ports.store === undefined ? undefined : pidListeningOn(ports.store);
  setServerPids({ broker: brokerPid, store: storePid });
  // Other work on the same cores (a test run, a second stack) moves every figure: measure it and say so.
  const idleCheck = cpuMeter();
  await sleep(1_000);
  const busyBefore = idleCheck.stop().machineBusy;
  if (busyBefore > 0.25) log(`warning: the machine was ${round(100 * busyBefore)}% busy before the run`);
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const machine = machineInfo();
  const logger = createLogger({ name: 'psp-stream-bench', level: process.env['BENCH_LOG_LEVEL'] ?? 'error' });
  const kafka = createKafka({ brokers: brokers.split(','), clientId: `bench-${runId}` }, logger);
  const admin = kafka.admin();
  await admin.connect();
  const producer = await benchProducer(kafka);
  const mongo = await new MongoClient(mongoUrl, { serverSelectionTimeoutMS: 10_000 }).connect();
  const ctx: BenchContext = {
    args,
    brokers,
    mongoUrl,
    kafka,
    admin,
    producer,
    mongo,
    logger,
    silent: createLogger({ name: 'psp-stream-worker', level: 'silent' }),
    createdTopics: [],
    createdDbs: [],
  };
  const rows: ThroughputRow[] = [];
  let latency: readonly LatencyRow[] = [];
  const plans: Record<string, unknown> = {};
  const standIns: StandInSet[] = [];
  let unindexed: StartedStandIn | undefined;
  let profile: ProfileSummary | undefined;
  const want = (row: string): boolean => args.only.has(row);
  const stackStandIn = describeStandIn(mongoUrl, 'stack');
  log(
    `run ${runId}: events ${args.events}, ${stackStandIn.kind} stand-in orders ${args.orders.join(',')}, unindexed ${args.unindexedOrders}, rows ${[...args.only].join('')}`,
  );
  // One event set per collection size, produced once and drained by every stand-in row of that size.
  const standInPlans = new Map<number, { readonly plan: EventPlan; readonly topic: string }>();
  const standInPlan = async (orders: number): Promise<{ readonly plan: EventPlan; readonly topic: string }> => {
    const known = standInPlans.get(orders);
    if (known !== undefined) return known;
    const plan = planEvents({ orders, prefix: `s${orders}-${runId}`, seed: args.seed + 1 });
    const topic = freshName(`s${orders}-results`);
    await createTopic(admin, topic);
    ctx.createdTopics.push(topic);
    const produced = await produceBacklog(producer, topic, plan.events);
    plans[`standIn-${orders}`] = { ...describePlan(plan), topic, produced };
    log(`stand-in set: ${plan.events.length} events of ${plan.orders.length} orders`);
    const made = { plan, topic };
    standInPlans.set(orders, made);
    return made;
  };
  /** Rows `ids` (those wanted) on one stand-in at one collection size; the stand-in warmed up first if `warm`. */
  const runStandInSet = async (
    setCtx: BenchContext,
    standIn: StandInInfo,
    orders: number,
    ids: readonly string[],
    warm: boolean,
  ): Promise<void> => {
    const wanted = ids.filter(want);
    if (wanted.length === 0) return;
    const { plan, topic } = await standInPlan(orders);
    if (warm) await warmUpStandIn(setCtx, topic);
    for (const [row, run] of [
      ['d', runStoreLimit],
      ['e', runWorkerE2e],
      ['n', runConcurrentNaive],
      ['f', runNaive],
    ] as const) {
      if (!wanted.includes(row)) continue;
      const result = await run(setCtx, plan, topic);
      rows.push({ ...result, standIn });
      log(
        `${row} done (${standIn.kind} stand-in, ${result.storeSize ?? '?'} docs): ${round(result.perSecond)} events/s, ${round(result.roundTripsPerEvent ?? 0, 4)} round trips/event, ${result.oracleMismatches ?? '-'} oracle misses`,
      );
    }
    standIns.push({ standIn, orders, events: plan.events.length, topic, rows: wanted });
  };
  const stopUnindexed = async (): Promise<void> => {
    const server = unindexed;
    unindexed = undefined;
    if (server === undefined) return;
    await server.stop();
    log(`stopped the unindexed stand-in (${server.info.url})`);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping`);
    // What the finally below would do, then leave: the unindexed stand-in first, it is a process of ours.
    void Promise.allSettled([stopUnindexed(), cleanUp(ctx)]).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (want('a') || want('c')) {
      const plan = planEvents({ events: args.events, prefix: `a-${runId}`, seed: args.seed });
      const topic = freshName('a-results');
      await createTopic(admin, topic);
      ctx.createdTopics.push(topic);
      const produced: Produced = await produceBacklog(producer, topic, plan.events);
      plans['backlog'] = { ...describePlan(plan), topic, produced };
      log(
        `backlog: ${plan.events.length} events of ${plan.orders.length} orders produced at ${round(produced.perSecond)}/s`,
      );
      if (want('c')) {
        rows.push(await runTransport(ctx, topic));
        log(`c done: ${round(rows.at(-1)?.perSecond ?? 0)} events/s`);
      }
      if (want('a')) {
        const a = await runPipeline(ctx, plan, topic);
        rows.push(a.row);
        profile = a.profile;
        log(`a done: ${round(a.row.perSecond)} events/s`);
      }
    }
    if (want('b')) {
      latency = await runLatency(ctx, args.rates, args.latencySeconds);
      log(`b done: ${latency.map((l) => `${l.rate}/s p99 ${l.p99Ms} ms`).join(', ')}`);
    }
    let warm = true;
    for (const orders of args.orders) {
      const before = standIns.length;
      await runStandInSet(ctx, stackStandIn, orders, standInRows, warm);
      warm &&= standIns.length === before;
    }
    if (args.unindexedOrders > 0 && unindexedRows.some(want)) {
      unindexed = await startUnindexedStandIn();
      log(`started an unindexed stand-in: ${unindexed.info.url} (pid ${unindexed.info.pid ?? '-'})`);
      const client = await new MongoClient(unindexed.info.url, { serverSelectionTimeoutMS: 10_000 }).connect();
      // Its databases vanish with it (memory only): nothing of it for cleanUp to drop.
      const unindexedCtx: BenchContext = { ...ctx, mongoUrl: unindexed.info.url, mongo: client, createdDbs: [] };
      setServerPids({ broker: brokerPid, store: unindexed.info.pid });
      try {
        await runStandInSet(unindexedCtx, unindexed.info, args.unindexedOrders, unindexedRows, true);
      } finally {
        setServerPids({ broker: brokerPid, store: storePid });
        await client.close();
        await stopUnindexed();
      }
    }
  } finally {
    await stopUnindexed().catch((e: unknown) => {
      log(`stopping the unindexed stand-in failed: ${e instanceof Error ? e.message : String(e)}`);
    });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanUp(ctx).catch((e: unknown) => {
      log(`clean-up failed: ${e instanceof Error ? e.message : String(e)}`);
    });
    await Promise.allSettled([producer.disconnect(), admin.disconnect(), mongo.close()]);
  }
  // a and c first; the stand-in rows stay in the order they ran (set by set).
  const rank = (row: ThroughputRow): number => ['a', 'c'].indexOf(row.id) + (['a', 'c'].includes(row.id) ? 0 : 3);
  rows.sort((x, y) => rank(x) - rank(y));
  const report = {
    startedAt,
    durationSeconds: (performance.now() - t0) / 1000,
    args: { ...args, only: [...args.only] },
    machine: { ...machine, busyBeforeRun: busyBefore, loadAverage: loadavg() },
    standIns,
    plans,
    rows,
    latency,
    ratios: ratiosOf(rows),
    ...(profile === undefined ? {} : { profileOfRowA: profile }),
  };
  console.log(renderReport(report));
  if (profile !== undefined) console.log(`${renderProfile(profile)}\n`);
  if (args.save) console.log(`saved ${saveReport(report)}`);
  return 0;
};

process.exitCode = await main();
// Everything is closed by now; if a handle still holds the event loop (seen after rows a/b at 15d44bb+: the
// in-process worker does not let go), say so and leave rather than hang a CI job.
setTimeout(() => {
  log('something still holds the event loop 10 s after the run: exiting');
  process.exit();
}, 10_000).unref();
