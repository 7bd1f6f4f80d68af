import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { kafkaBrokersOf, type StackLayout } from './layout.js';
import { resolveJars } from './maven.js';
import { javaServer } from './java-server.js';
import type { LocalServer } from './service.js';

const serverProperties = (layout: StackLayout, dataDir: string): string =>
  [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${layout.kafkaControllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${layout.kafkaPort},CONTROLLER://127.0.0.1:${layout.kafkaControllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${layout.kafkaPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
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

  const install = (): void => {
    resolveJars(resolve(import.meta.dirname, 'kafka/pom.xml'), libs, layout.mavenRepo);
    mkdirSync(logDir, { recursive: true });
    writeFileSync(config, serverProperties(layout, dataDir));
    writeFileSync(log4jConfig, log4j(logDir));
    if (!existsSync(resolve(dataDir, 'meta.properties'))) {
      const java = (args: string[]): string =>
        execFileSync('java', ['-cp', classPath, `-Dlog4j.configuration=file:${log4jConfig}`, ...args], {
          encoding: 'utf8',
        });
      const clusterId = java(['kafka.tools.StorageTool', 'random-uuid']).trim();
      java(['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config]);
    }
  };

  return javaServer({
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
};
