import { launchDetached, runningPid, stopPid, waitForPort } from './process-control.js';
import type { LocalServer } from './service.js';

/** What tells one JVM server of the stack from another; the lifecycle around it is the same for all. */
export interface JavaServerSpec {
  readonly name: string;
  /** How its log lines and errors call it. */
  readonly what: string;
  readonly connectionString: string;
  /** Its folder under the stack root: the marker that makes a pid ours. */
  readonly home: string;
  readonly pidFile: string;
  readonly logFile: string;
  readonly port: number;
  readonly startTimeoutMs: number;
  readonly install: () => void;
  readonly javaArgs: readonly string[];
}

export const javaServer = (spec: JavaServerSpec): LocalServer => {
  const pid = (): number | undefined => runningPid(spec.pidFile, spec.home);
  return {
    name: spec.name,
    connectionString: spec.connectionString,
    install: spec.install,
    pid,
    start: async () => {
      if (pid() !== undefined) return false;
      spec.install();
      const started = launchDetached({
        command: 'java',
        args: spec.javaArgs,
        cwd: spec.home,
        logFile: spec.logFile,
        pidFile: spec.pidFile,
      });
      await waitForPort(spec.port, {
        timeoutMs: spec.startTimeoutMs,
        stillAlive: () => pid() === started,
        what: spec.what,
        logFile: spec.logFile,
      });
      return true;
    },
    stop: async () => {
      const running = pid();
      if (running === undefined) return false;
      await stopPid(running, spec.pidFile);
      return true;
    },
  };
};
