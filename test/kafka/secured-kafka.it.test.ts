import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { PaymentOrderId, PspResultUpdateEvent } from '../../src/codecs/index.js';
import { makeCertificateAuthority } from '../../src/stack/kafka-security.js';
import { kafkaBrokersOf, securedKafkaOf, stackLayout, type SecuredKafkaEndpoint } from '../../src/stack/layout.js';
import type { PaymentOrderDocument } from '../../src/state/index.js';
import { insertInitiatedOrders, publish, waitForCommitted } from '../support/psp-results.js';
import { uniqueName, useRealStack } from '../support/real-stack.js';
import { readWholeTopic } from '../support/topic-reader.js';
import { workerTestEnv, workerTopics } from '../support/worker-config.js';

interface Run {
  readonly exited: Promise<number | null>;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly stop: () => Promise<number | null>;
}

/** `psp-stream <args>` as its own process, stdout and stderr kept apart. */
const psp = (args: readonly string[], env: Record<string, string>): Run => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  return {
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
};

const layout = stackLayout();
const endpoint = securedKafkaOf(layout);
// The SASL_SSL listener is the local stack's; against brokers the environment gives there is none to test.
const onLocalStack = process.env['KAFKA_BROKERS'] === kafkaBrokersOf(layout);

/** The settings of a client of the stack's SASL_SSL listener: SCRAM-SHA-512, the password from its file. */
const securedEnv = (e: SecuredKafkaEndpoint, extra: Record<string, string> = {}): Record<string, string> => ({
  KAFKA_BROKERS: e.brokers,
  KAFKA_SSL: 'true',
  KAFKA_SSL_CA_FILE: e.caFile,
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: e.username,
  KAFKA_SASL_PASSWORD_FILE: e.passwordFile,
  ...extra,
});

/** Like waitForCommitted, also through the errors a just-created topic or group answers with at first. */
const committedWithin = async (admin: Admin, group: string, topic: string, timeoutMs: number): Promise<string> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await waitForCommitted(admin, group, topic, Math.max(0, deadline - Date.now()));
      return 'committed';
    } catch (error: unknown) {
      if (Date.now() > deadline) return String(error);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
};

const lines = (text: string): readonly string[] => text.split('\n').filter((l) => l.trim() !== '');

describe.skipIf(endpoint === undefined || !onLocalStack)('Kafka through the SASL_SSL listener', () => {
  const stack = useRealStack();
  const { admin, producer } = stack;
  const e = endpoint as SecuredKafkaEndpoint;
  const password = (): string => readFileSync(e.passwordFile, 'utf8').trim();

  it('a worker consumes, applies and dead-letters with SCRAM-SHA-512, the CA and a client certificate', async () => {
    const names = await workerTopics(admin, 'sasl', stack.store.db.databaseName);
    const prefix = uniqueName('sasl');
    const ids = Array.from({ length: 20 }, (_, i) => `${prefix}-${i}` as PaymentOrderId);
    await insertInitiatedOrders(stack.store.db, ids);
    const events = ids.map((id, i): PspResultUpdateEvent => ({
      paymentOrderId: id,
      pspStatus: 'SUCCESSFUL',
      eventTime: new Date(Date.UTC(2026, 10, 30, 12, 0, i)),
      pspReference: `ref-${i}`,
    }));
    await publish(producer, names.topic, events);
    await producer.send({ topic: names.topic, acks: -1, messages: [{ key: `${prefix}-bad`, value: 'not json' }] });

    const worker = psp(
      ['worker'],
      securedEnv(e, {
        ...workerTestEnv(names),
        KAFKA_BROKERS: e.brokers,
        KAFKA_SSL_CERT_FILE: e.clientCertFile,
        KAFKA_SSL_KEY_FILE: e.clientKeyFile,
        LOG_LEVEL: 'info',
      }),
    );
    const caughtUp = await Promise.race([
      committedWithin(admin, names.group, names.topic, 60_000),
      worker.exited.then((code) => `worker exited with ${String(code)}`),
    ]);
    const code = await worker.stop();
    expect(caughtUp, `${worker.stderr()}${worker.stdout().slice(-3000)}`).toBe('committed');
    expect(code).toBe(0);
    const docs = await stack.store.db
      .collection<PaymentOrderDocument>('payment_orders')
      .find({ _id: { $in: ids } })
      .toArray();
    expect(docs.map((d) => d.status)).toEqual(ids.map(() => 'SUCCESSFUL'));
    // Read, not counted by offsets: the letter went out in a transaction, whose marker takes an offset too.
    expect((await readWholeTopic(stack.kafka, admin, names.dlq)).map((m) => m.key?.toString())).toHaveLength(1);
    expect(worker.stdout() + worker.stderr()).not.toContain(password());
    console.log(`worker over SASL_SSL (${e.brokers}): ${ids.length} applied, 1 dead-lettered, exit 0`);
  });

  it('orders create publishes its commands with SCRAM-SHA-256, the password in a variable', async () => {
    const commandTopic = uniqueName('sasl-commands');
    const run = psp(
      ['orders', 'create', '--count', '5', '--prefix', uniqueName('sasl-order')],
      securedEnv(e, {
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_PASSWORD_FILE: '',
        KAFKA_SASL_PASSWORD: password(),
        MONGO_DB: stack.store.db.databaseName,
        PSP_COMMAND_TOPIC: commandTopic,
      }),
    );
    expect(await run.exited, run.stderr()).toBe(0);
    expect(run.stdout()).toContain('created 5, already existing 0, rejected 0');
    const offsets = await admin.fetchTopicOffsets(commandTopic);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(5);
    console.log(`orders create over SASL_SSL: ${lines(run.stdout()).at(-1) ?? ''}`);
  });

  it('the executor publishes its PSP results with PLAIN', async () => {
    const resultTopic = uniqueName('sasl-results');
    const run = psp(
      ['executor', '--orders', '3', '--prefix', uniqueName('sasl-exec')],
      securedEnv(e, {
        KAFKA_SASL_MECHANISM: 'plain',
        MONGO_DB: stack.store.db.databaseName,
        PSP_RESULT_TOPIC: resultTopic,
        PSP_SIM_LATENCY_MS: '0',
        EXECUTOR_METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
      }),
    );
    expect(await run.exited, run.stderr() + run.stdout().slice(-2000)).toBe(0);
    const offsets = await admin.fetchTopicOffsets(resultTopic);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(3);
  });

  it('a wrong password ends the worker at start-up with exit 3 and one line, the password nowhere', async () => {
    const names = await workerTopics(admin, 'sasl-wrong', stack.store.db.databaseName);
    const wrong = `wrong-${uniqueName('pw')}`;
    const started = Date.now();
    const worker = psp(
      ['worker'],
      securedEnv(e, {
        ...workerTestEnv(names),
        KAFKA_BROKERS: e.brokers,
        KAFKA_SASL_PASSWORD_FILE: '',
        KAFKA_SASL_PASSWORD: wrong,
        LOG_LEVEL: 'debug',
      }),
    );
    const code = await worker.exited;
    expect(code, worker.stderr()).toBe(3);
    expect(lines(worker.stderr())).toEqual([
      expect.stringMatching(/^psp-stream: cannot authenticate to Kafka: SASL SCRAM SHA512 authentication failed/),
    ]);
    expect(worker.stdout() + worker.stderr()).not.toContain(wrong);
    expect(worker.stdout() + worker.stderr()).not.toContain(password());
    console.log(`wrong password: exit ${String(code)} after ${Date.now() - started} ms: ${worker.stderr().trim()}`);
  });

  it('a broker certificate the configured CA did not sign ends a command with exit 3', async () => {
    const untrusted = makeCertificateAuthority(mkdtempSync(join(tmpdir(), 'untrusted-ca-')), 'untrusted-ca');
    const started = Date.now();
    const run = psp(
      ['orders', 'create', '--count', '1', '--prefix', uniqueName('sasl-untrusted')],
      securedEnv(e, { KAFKA_SSL_CA_FILE: untrusted.certFile, MONGO_DB: stack.store.db.databaseName }),
    );
    const code = await run.exited;
    expect(code, run.stderr()).toBe(3);
    expect(lines(run.stderr())).toEqual([
      expect.stringMatching(
        /^psp-stream: cannot authenticate to Kafka: TLS handshake with .* failed: .*\[SELF_SIGNED_CERT_IN_CHAIN\]/,
      ),
    ]);
    console.log(`untrusted CA: exit ${String(code)} after ${Date.now() - started} ms: ${run.stderr().trim()}`);
  });
});
