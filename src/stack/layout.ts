import { resolve } from 'node:path';

/** Where the local stack keeps downloads, data, logs and pid files: one git-ignored folder. */
export interface StackLayout {
  readonly root: string;
  readonly mavenRepo: string;
  readonly kafkaPort: number;
  readonly kafkaControllerPort: number;
  readonly mongoPort: number;
}

const port = (value: string | undefined, fallback: number): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`invalid port "${value}"`);
  return n;
};

export const stackLayout = (env: NodeJS.ProcessEnv = process.env): StackLayout => {
  const root = resolve(env['PSP_STACK_DIR'] ?? resolve(import.meta.dirname, '../../.stack'));
  return {
    root,
    mavenRepo: resolve(root, 'm2'),
    kafkaPort: port(env['PSP_STACK_KAFKA_PORT'], 39092),
    kafkaControllerPort: port(env['PSP_STACK_KAFKA_CONTROLLER_PORT'], 39093),
    mongoPort: port(env['PSP_STACK_MONGO_PORT'], 37017),
  };
};

export const kafkaBrokersOf = (layout: StackLayout): string => `127.0.0.1:${layout.kafkaPort}`;
export const mongoUrlOf = (layout: StackLayout): string =>
  `mongodb://127.0.0.1:${layout.mongoPort}/?directConnection=true`;
