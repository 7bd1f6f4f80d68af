import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { mongoUrlOf, type StackLayout } from './layout.js';
import { resolveJars } from './maven.js';
import { javaServer } from './java-server.js';
import type { LocalServer } from './service.js';

/** mongo-java-server (memory backend) as the MongoDB stand-in; see README for its known gaps. */
export const mongoServer = (layout: StackLayout): LocalServer => {
  const home = resolve(layout.root, 'mongo');
  const libs = resolve(home, 'libs');
  const classes = resolve(home, 'classes');
  const pidFile = resolve(home, 'mongo.pid');
  const logFile = resolve(home, 'server.log');
  const classPath = `${classes}:${libs}/*`;

  const install = (): void => {
    resolveJars(resolve(import.meta.dirname, 'mongo/pom.xml'), libs, layout.mavenRepo);
    const source = resolve(import.meta.dirname, 'mongo/MongoStandIn.java');
    const compiled = resolve(classes, 'MongoStandIn.class');
    // compiled once, and again whenever the launcher's source changed since
    if (!existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs) {
      mkdirSync(classes, { recursive: true });
      execFileSync('javac', ['-d', classes, '-cp', `${libs}/*`, source]);
    }
  };

  return javaServer({
    name: 'mongo',
    what: 'mongo-java-server',
    connectionString: mongoUrlOf(layout),
    home,
    pidFile,
    logFile,
    port: layout.mongoPort,
    startTimeoutMs: 30_000,
    install,
    javaArgs: ['-Xmx1g', '-XX:+UseG1GC', '-cp', classPath, 'MongoStandIn', '127.0.0.1', String(layout.mongoPort)],
  });
};
