import { pino, type Logger } from 'pino';
import { createLogger } from '../telemetry/logger.js';

/**
 * The demo's logger, the same on its main thread and its worker's: lines go to `logFile` (synchronously, so
 * a thread that ends loses none), or to stderr when there is none (`--verbose`).
 */
export const demoLogger = (level: string, logFile: string | undefined): Logger =>
  createLogger({
    name: 'psp-stream-demo',
    level,
    destination: logFile === undefined ? pino.destination(2) : pino.destination({ dest: logFile, sync: true }),
  });
