import { readFileSync } from 'node:fs';
import { freePort } from '../src/stack/free-port.js';
import { stackLayout } from '../src/stack/layout.js';
import { mongoServer } from '../src/stack/mongo-server.js';
import type { StandInInfo } from './rows.js';
import { pidListeningOn, portsOf } from './server-pids.js';

/** Which stand-ins the stand-in rows run on: the stack's (MONGO_URL) and an unindexed one the bench starts. */

const commandLineOf = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
};

/**
 * What MONGO_URL points at, told from the command line of the process listening on its port: the stack's
 * launcher (`MongoStandIn`) is indexed unless started with `--unindexed`. Anything else (a real MongoDB, a
 * remote server) is `unknown`.
 */
export const describeStandIn = (url: string, origin: StandInInfo['origin']): StandInInfo => {
  const port = portsOf('', url).store;
  const pid = port === undefined ? undefined : pidListeningOn(port);
  const cmd = pid === undefined ? undefined : commandLineOf(pid);
  const kind =
    cmd === undefined || !cmd.includes('MongoStandIn')
      ? 'unknown'
      : cmd.includes('--unindexed')
        ? 'unindexed'
        : 'indexed';
  return { kind, url, origin, pid };
};

export interface StartedStandIn {
  readonly info: StandInInfo;
  /** Stops it; safe to call twice. */
  readonly stop: () => Promise<void>;
}

/**
 * Starts the plain (unindexed) memory backend of the stack's launcher on a free port, in its own folder
 * under the stack's root (PSP_STACK_DIR). It is memory-only: stopping it discards its databases.
 */
export const startUnindexedStandIn = async (): Promise<StartedStandIn> => {
  const layout = stackLayout();
  const port = await freePort();
  const server = mongoServer(layout, { indexed: false, port });
  const running = server.pid();
  if (running !== undefined) {
    // Its folder is per stack root, not per port: another bench or the differential test is using it.
    throw new Error(
      `an unindexed stand-in already runs from ${layout.root} (pid ${running}); stop it, or pass --unindexed-orders 0`,
    );
  }
  await server.start();
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await server.stop();
  };
  const info = describeStandIn(server.connectionString, 'bench');
  if (info.kind !== 'unindexed') {
    await stop();
    throw new Error(`the stand-in started on port ${port} does not run as unindexed (pid ${info.pid ?? '-'})`);
  }
  return { info, stop };
};
