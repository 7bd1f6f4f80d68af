import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths that could carry card data or secrets. Payloads are never logged whole, but a careless
 * `log.info({ order })` must still not leak them.
 */
export const redactedPaths: readonly string[] = [
  '*.pan',
  '*.cardNumber',
  '*.card',
  '*.cvc',
  '*.cvv',
  '*.expiry',
  '*.password',
  '*.secret',
  '*.apiKey',
  '*.authorization',
  '*.mongoUrl',
  'pan',
  'cardNumber',
  'card',
  'cvc',
  'cvv',
  'password',
  'secret',
  'apiKey',
  'authorization',
  'mongoUrl',
  'headers.authorization',
];

export const createLogger = (opts: {
  readonly level: string;
  readonly name: string;
  readonly pretty?: boolean;
  /** Where lines go (stdout when absent). */
  readonly destination?: DestinationStream;
}): Logger => {
  const options: LoggerOptions = {
    name: opts.name,
    level: opts.level,
    redact: { paths: [...redactedPaths], censor: '[redacted]' },
    base: { service: opts.name },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (opts.pretty === true) return pino({ ...options, transport: { target: 'pino-pretty' } });
  return opts.destination === undefined ? pino(options) : pino(options, opts.destination);
};
