import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ensureBrokerTls,
  saslSslProperties,
  scramConfigValues,
  scramFormatArgs,
  type BrokerTls,
} from './kafka-security.js';
import { kafkaBrokersOf, type StackLayout } from './layout.js';
import { resolveJars } from './maven.js';
import { javaServer } from './java-server.js';
import type { LocalServer } from './service.js';

/** The PLAINTEXT listener is what everything uses by default; SASL_SSL is added beside it when the layout has a port. */
const serverProperties = (layout: StackLayout, dataDir: string, tls: BrokerTls | undefined): string =>
  [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${layout.kafkaControllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${layout.kafkaPort},CONTROLLER://127.0.0.1:${layout.kafkaControllerPort}` +
      (tls === undefined ? '' : `,SASL_SSL://127.0.0.1:${layout.kafkaSaslPort}`),
    `advertised.listeners=PLAINTEXT://127.0.0.1:${layout.kafkaPort}` +
      (tls === undefined ? '' : `,SASL_SSL://127.0.0.1:${layout.kafkaSaslPort}`),
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT' +
      (tls === undefined ? '' : ',SASL_SSL:SASL_SSL'),
    ...(tls === undefined ? [] : saslSslProperties(tls)),
    `log.dirs=${dataDir}`,
    // Topics are created by psp-stream's own admin code, never by a client asking for one.
    'auto.create.topics.enable=false',
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=12',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'min.insync.replicas=1',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=24',
    'log.segment.bytes=134217728',
    '',
  ].join('\n');

const log4j = (logDir: string): string =>
  [
    'log4j.rootLogger=WARN, file',
    'log4j.logger.kafka.server.KafkaServer=INFO',
    'log4j.logger.kafka.server.KafkaRaftServer=INFO',
    'log4j.appender.file=org.apache.log4j.RollingFileAppender',
    `log4j.appender.file.File=${logDir}/server.log`,
    'log4j.appender.file.MaxFileSize=20MB',
    'log4j.appender.file.MaxBackupIndex=2',
    'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
    '',
  ].join('\n');

export const kafkaServer = (layout: StackLayout): LocalServer => {
  const home = resolve(layout.root, 'kafka');
  const libs = resolve(home, 'libs');
  const dataDir = resolve(home, 'data');
  const logDir = resolve(home, 'logs');
  const config = resolve(home, 'server.properties');
  const log4jConfig = resolve(home, 'log4j.properties');
  const pidFile = resolve(home, 'kafka.pid');
  const logFile = resolve(logDir, 'stdout.log');
  const classPath = `${libs}/*`;
  // Names the SCRAM user's password and the storage it was added to: a mismatch means it must be added again.
  const scramMarker = resolve(home, 'scram-user');
  const java = (args: readonly string[]): string =>
    execFileSync('java', ['-cp', classPath, `-Dlog4j.configuration=file:${log4jConfig}`, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  const scramStamp = (tls: BrokerTls): string => {
    const meta = readFileSync(resolve(dataDir, 'meta.properties'), 'utf8');
    const clusterId = /^cluster\.id=(.*)$/m.exec(meta)?.[1] ?? '';
    return `${clusterId} ${createHash('sha256').update(tls.password).digest('hex')}\n`;
  };

  const install = (): void => {
    resolveJars(resolve(import.meta.dirname, 'kafka/pom.xml'), libs, layout.mavenRepo);
    mkdirSync(logDir, { recursive: true });
    const tls = ensureBrokerTls(layout);
    writeFileSync(config, serverProperties(layout, dataDir, tls), { mode: 0o600 });
    writeFileSync(log4jConfig, log4j(logDir));
    if (!existsSync(resolve(dataDir, 'meta.properties'))) {
      const clusterId = java(['kafka.tools.StorageTool', 'random-uuid']).trim();
      java([
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId,
        '-c',
        config,
        ...(tls === undefined ? [] : scramFormatArgs(tls)),
      ]);
      if (tls !== undefined) writeFileSync(scramMarker, scramStamp(tls));
    }
  };

  /** A broker formatted before it had a SASL_SSL listener gets its SCRAM user once it runs. */
  const ensureScramUser = (): void => {
    const tls = ensureBrokerTls(layout);
    if (tls === undefined) return;
    const stamp = scramStamp(tls);
    if (existsSync(scramMarker) && readFileSync(scramMarker, 'utf8') === stamp) return;
    // One request per mechanism: the broker refuses two changes to one user's credentials in one request.
    for (const mechanism of scramConfigValues(tls)) {
      java([
        'kafka.admin.ConfigCommand',
        '--bootstrap-server',
        kafkaBrokersOf(layout),
        '--alter',
        '--entity-type',
        'users',
        '--entity-name',
        tls.endpoint.username,
        '--add-config',
        mechanism,
      ]);
    }
    writeFileSync(scramMarker, stamp);
  };

  const server = javaServer({
    name: 'kafka',
    what: 'kafka',
    connectionString: kafkaBrokersOf(layout),
    home,
    pidFile,
    logFile,
    port: layout.kafkaPort,
    startTimeoutMs: 60_000,
    install,
    javaArgs: [
      '-Xms256m',
      '-Xmx512m',
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dkafka.logs.dir=${logDir}`,
      `-Dlog4j.configuration=file:${log4jConfig}`,
      '-cp',
      classPath,
      'kafka.Kafka',
      config,
    ],
  });
  return {
    ...server,
    start: async () => {
      const started = await server.start();
      try {
        ensureScramUser();
      } catch (error: unknown) {
        // The plaintext listener, which everything else uses, is up; only SASL_SSL logins would fail. The
        // tool's own output names the password, so only its cause is shown.
        const stderr = (error as { stderr?: unknown }).stderr;
        const output = typeof stderr === 'string' ? stderr : '';
        const cause = /^Caused by: (.*)$/m.exec(output)?.[1] ?? 'ConfigCommand failed';
        console.error(`kafka: could not add the SCRAM user of the SASL_SSL listener: ${cause}`);
      }
      return started;
    },
  };
};
