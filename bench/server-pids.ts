import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/**
 * Which local process listens on a TCP port (Linux /proc): the broker's and the stand-in's CPU is then
 * measured next to the worker's, so a row can say what was busy. Undefined where /proc cannot tell.
 */
const listeningInodes = (port: number): Set<string> => {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is cols[1] (ADDR:PORT), st is cols[3] (0A = LISTEN), inode is cols[9]
      if (cols[1]?.endsWith(`:${hexPort}`) === true && cols[3] === '0A' && cols[9] !== undefined) inodes.add(cols[9]);
    }
  }
  return inodes;
};

export const pidListeningOn = (port: number): number | undefined => {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m?.[1] !== undefined && inodes.has(m[1])) return Number(pid);
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return undefined;
};

/** user + system CPU seconds a process has used so far (clock ticks of 1/100 s, as on every Linux we run). */
export const cpuSecondsOf = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
};

/** The port of the first broker and of the MongoDB URL, when they are local. */
export const portsOf = (brokers: string, mongoUrl: string): { broker?: number; store?: number } => {
  const local = (host: string | undefined): boolean => host === '127.0.0.1' || host === 'localhost' || host === '::1';
  const [host, port] = (brokers.split(',')[0] ?? '').split(':');
  const url = /^mongodb:\/\/(?:[^@/]*@)?([^:/,]+):(\d+)/.exec(mongoUrl);
  return {
    ...(local(host) && port !== undefined ? { broker: Number(port) } : {}),
    ...(local(url?.[1]) && url?.[2] !== undefined ? { store: Number(url[2]) } : {}),
  };
};
