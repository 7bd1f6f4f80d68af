import { logLevel } from './env-codecs.js';
import { connectionEnv } from './connection-env.js';
import { envVar } from './env-spec.js';

/** Everything `psp-stream dlq redrive` reads from its environment. */
export const redriveEnv = {
  ...connectionEnv,
  LOG_LEVEL: envVar({ codec: logLevel, fallback: 'warn', description: 'pino log level' }),
};
