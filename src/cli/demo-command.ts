import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogUpdate } from 'log-update';
import { MongoClient, type Filter } from 'mongodb';
import { encodePspResultUpdate } from '../codecs/index.js';
import { decodeEnv } from '../config/env-spec.js';
import { createKafka, idempotentProducer, kafkaConnectionOf } from '../kafka/client.js';
import { consumerLag } from '../kafka/consumer-lag.js';
import { groupsJoined } from '../kafka/groups-joined.js';
import { isTerminal, paymentOrdersCollection, type PaymentOrderDocument } from '../state/index.js';
import { inMemoryIdempotency } from '../publisher/psp/index.js';
import { demoArgsOf, demoEnv, demoEnvironment } from './demo-args.js';
import { demoLogger } from './demo-logger.js';
import { openDemoIntake } from './demo-intake.js';
import { intakeOnSchedule } from './demo-intake-schedule.js';
import { demoRecorder, injectedHeader } from './demo-recorder.js';
import { startDemoWorker } from './demo-worker.js';
import { demoReport } from './demo-report.js';
import { steadyOrders, totalOrders } from './demo-schedule.js';
import { demoPhases, disagreementWithTable, waitedCommands, windowStats } from './demo-summary.js';
import { liveView, plainLine, type DemoSnapshot } from './demo-view.js';
import { orExplainInvalidEnv } from './explain-invalid-env.js';
import { generatedOrders } from './orders-command.js';
import { runExecutorService } from './run-executor.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
  const demoArgs = demoArgsOf(args);
  if (typeof demoArgs === 'string') {
    console.error(demoArgs);
    return 2;
  }
  const { plan, seed, timeoutMs, verbose } = demoArgs;
  const env = demoEnvironment(process.env);
  const config = orExplainInvalidEnv(decodeEnv(demoEnv, env));
  if (config === undefined) return 2;
  const prefix = `demo-${seed}`;
  // JSON log lines would tear the live view apart, and the ones a fresh broker provokes (kafkajs' "the
  // coordinator is loading") mean nothing is wrong: they go to a file unless asked for.
  const logFile = join(tmpdir(), `psp-stream-${prefix}.log`);
  const logTo = verbose ? undefined : logFile;
  const logger = demoLogger(config.LOG_LEVEL, logTo);

  const steady = steadyOrders(plan);
  const total = totalOrders(plan);
  const tty = process.stdout.isTTY;
  const draw = tty ? createLogUpdate(process.stdout) : undefined;
  const header = `psp-stream demo · seed ${seed} · steady ${plan.rate}/s × ${plan.steadySeconds} s (${steady.toLocaleString('en-US')} orders), then a burst of ${plan.burst.toLocaleString('en-US')} · worker metrics on :${config.METRICS_PORT}`;
  if (!tty) console.log(header);

  const recorder = demoRecorder(prefix, steady, seed);
  const { samples, outcomes, finalOrders } = recorder;

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
    return recorder.burstAnswered() < plan.burst ? 'burst' : 'retry tail';
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
    startDemoWorker({ env, logFile: logTo }, recorder.onSeen),
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
  const intaking = intakeOnSchedule({
    plan,
    intake,
    lines: generatedOrders(total, seed, prefix),
    startedAt,
    onBurst: () => {
      progress.burstAt ??= Date.now();
    },
    onCreated: (n) => {
      progress.created += n;
    },
  });
  void intaking.finally(() => {
    progress.intakeDone = true;
  });
  const deadline = startedAt + timeoutMs;
  while (Date.now() < deadline) {
    await sleep(250);
    const duplicates = recorder.takeExtra();
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
    if (progress.intakeDone && finalOrders.size === total && progress.lag === 0 && !recorder.hasExtra()) {
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
  console.log(
    demoReport({
      config,
      steady,
      burst: plan.burst,
      phases,
      docs,
      collectionSize,
      intake: intake.tally,
      outcomes,
      runSeconds: process.uptime(),
      logs: verbose
        ? `stderr (LOG_LEVEL ${config.LOG_LEVEL})`
        : `${linesIn(logFile)} lines (${config.LOG_LEVEL} and above) in ${logFile}`,
      ok,
      wrong: disagreements.length + total - docs.length,
    }),
  );
  for (const d of disagreements.slice(0, 10)) console.log(`  ${d}`);
  for (const p of intake.problems) console.log(`  intake: ${p}`);
  return ok ? 0 : 1;
};
