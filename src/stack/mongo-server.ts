import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { mongoUrlOf, type StackLayout } from './layout.js';
import { resolveJars } from './maven.js';
import { javaServer } from './java-server.js';
import type { LocalServer } from './service.js';

export interface MongoServerOptions {
  /**
   * false: the plain memory backend, which scans the collection for any filter that is not exactly an
   * index's fields. Only the differential test and the bench's comparison start it.
   */
  readonly indexed?: boolean;
  /** Its own port and folder, so it can run beside the stack's stand-in. */
  readonly port?: number;
}

const launcherSources = resolve(import.meta.dirname, 'mongo');

/**
 * mongo-java-server (memory backend) as the MongoDB stand-in; see README for its known gaps. By default
 * it plans filters through indexes as MongoDB does (`IndexedMemoryBackend.java`): an `_id` equality or
 * `$in` and a single-field index narrow the documents matched; matching and updating are unchanged.
 */
export const mongoServer = (layout: StackLayout, options: MongoServerOptions = {}): LocalServer => {
  const indexed = options.indexed ?? true;
  const port = options.port ?? layout.mongoPort;
  const home = resolve(layout.root, indexed ? 'mongo' : 'mongo-unindexed');
  const libs = resolve(layout.root, 'mongo', 'libs');
  const classes = resolve(layout.root, 'mongo', 'classes');
  const pidFile = resolve(home, 'mongo.pid');
  const logFile = resolve(home, 'server.log');
  const classPath = `${classes}:${libs}/*`;

  const install = (): void => {
    resolveJars(resolve(launcherSources, 'pom.xml'), libs, layout.mavenRepo);
    mkdirSync(home, { recursive: true });
    const sources = readdirSync(launcherSources)
      .filter((f) => f.endsWith('.java'))
      .map((f) => resolve(launcherSources, f));
    const compiled = resolve(classes, 'MongoStandIn.class');
    const newestSource = Math.max(...sources.map((s) => statSync(s).mtimeMs));
    // compiled once, and again whenever a launcher source changed since
    if (!existsSync(compiled) || statSync(compiled).mtimeMs < newestSource) {
      mkdirSync(classes, { recursive: true });
      execFileSync('javac', ['-d', classes, '-cp', `${libs}/*`, ...sources]);
    }
  };

  return javaServer({
    name: indexed ? 'mongo' : 'mongo-unindexed',
    what: indexed ? 'mongo-java-server' : 'mongo-java-server (unindexed)',
    connectionString: mongoUrlOf({ ...layout, mongoPort: port }),
    home,
    pidFile,
    logFile,
    port,
    startTimeoutMs: 30_000,
    install,
    javaArgs: [
      // The throughput collector, not G1: in alternating demo runs on fresh stand-ins it took about a tenth
      // less of the stand-in's CPU and the burst drained 4–32% faster. 2 GiB: room for a whole test run's
      // databases, so that no full collection stops the world in the middle of one.
      '-Xmx2g',
      '-XX:+UseParallelGC',
      // A store keeps nearly everything a write allocates: aged in the survivor spaces, each document was
      // copied young collection after young collection. Promoted at its first one, it is copied once: ~40%
      // less stop-the-world in demo runs, and no burst stalled by the 370–430 ms pauses seen without it.
      '-XX:InitialTenuringThreshold=0',
      '-XX:MaxTenuringThreshold=0',
      `-Xlog:gc:file=${resolve(home, 'gc.log')}:uptime:filecount=2,filesize=5m`,
      // names its folder on the command line: what makes a pid ours (process-control's runningPid)
      `-Dpsp.stack.home=${home}`,
      '-cp',
      classPath,
      'MongoStandIn',
      '127.0.0.1',
      String(port),
      ...(indexed ? [] : ['--unindexed']),
    ],
  });
};
