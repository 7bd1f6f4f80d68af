import { MongoClient, type CommandStartedEvent, type CommandSucceededEvent } from 'mongodb';

/**
 * Counts the commands (= round trips) every MongoClient of this process sends, per database, including the
 * clients `runWorker` makes inside itself: `MongoClient.prototype.connect` is wrapped once so that each
 * client turns command monitoring on and reports here. Only the bench does this; src/ is untouched.
 */
export interface CommandTally {
  /** Commands started, by `command collection` (e.g. `update payment_orders`, `find command_outbox`). */
  readonly byName: Map<string, number>;
  /** performance.now() of the first data command on payment_orders started, and of the last one succeeded. */
  firstStartedAt: number | undefined;
  lastSucceededAt: number | undefined;
}

/** The commands that carry the payment flow; setup (insert, createIndexes, ping, hello…) is left out of round trips. */
export const dataCommands: ReadonlySet<string> = new Set(['update', 'find', 'getMore', 'delete', 'findAndModify']);
/** Round trips count on this collection only: the worker's other collections (command outbox) are another job. */
export const ordersCollection = 'payment_orders';

const collectionOf = (e: CommandStartedEvent): string => {
  const c = e.command as Record<string, unknown>;
  const target = e.commandName === 'getMore' ? c['collection'] : c[e.commandName];
  return typeof target === 'string' ? target : '?';
};

const tallies = new Map<string, CommandTally>();
const watched = new WeakSet<MongoClient>();

const tallyOf = (db: string): CommandTally => {
  let t = tallies.get(db);
  if (t === undefined) {
    t = { byName: new Map(), firstStartedAt: undefined, lastSucceededAt: undefined };
    tallies.set(db, t);
  }
  return t;
};

const watch = (client: MongoClient): void => {
  if (watched.has(client)) return;
  watched.add(client);
  client.options.monitorCommands = true;
  const dbOfRequest = new Map<number, string>();
  client.on('commandStarted', (e: CommandStartedEvent) => {
    const t = tallyOf(e.databaseName);
    const collection = collectionOf(e);
    const name = `${e.commandName} ${collection}`;
    t.byName.set(name, (t.byName.get(name) ?? 0) + 1);
    if (dataCommands.has(e.commandName) && collection === ordersCollection) {
      t.firstStartedAt ??= performance.now();
      dbOfRequest.set(e.requestId, e.databaseName);
    }
  });
  client.on('commandSucceeded', (e: CommandSucceededEvent) => {
    const db = dbOfRequest.get(e.requestId);
    if (db === undefined) return;
    dbOfRequest.delete(e.requestId);
    tallyOf(db).lastSucceededAt = performance.now();
  });
  client.on('commandFailed', (e) => {
    dbOfRequest.delete(e.requestId);
  });
};

let installed = false;

export const installCommandCounter = (): void => {
  if (installed) return;
  installed = true;
  const proto = MongoClient.prototype as unknown as { connect: (this: MongoClient) => Promise<MongoClient> };
  const original = proto.connect;
  proto.connect = function connect(this: MongoClient) {
    watch(this);
    return original.call(this);
  };
};

export const commandsOf = (db: string): CommandTally => tallyOf(db);

/**
 * A client left out of the count: command monitoring makes the driver deserialize every reply into a plain
 * object once more (a read's whole document), a cost that falls on whoever sends many small commands. Row n
 * counts its own commands and times itself, so it runs without it.
 */
export const connectUnmonitored = (url: string): Promise<MongoClient> => {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  watched.add(client);
  return client.connect();
};

/** Round trips of the payment flow on one database: every data command on payment_orders, getMore included. */
export const roundTripsOf = (db: string): number => {
  let n = 0;
  for (const command of dataCommands) n += tallyOf(db).byName.get(`${command} ${ordersCollection}`) ?? 0;
  return n;
};
