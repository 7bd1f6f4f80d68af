import { resolve } from 'node:path';

/** Where the local stack keeps downloads, data, logs and pid files: one git-ignored folder. */
export interface StackLayout {
  readonly root: string;
  readonly mavenRepo: string;
  readonly kafkaPort: number;
  readonly kafkaControllerPort: number;
  /** The broker's SASL_SSL listener (SCRAM and PLAIN over TLS); `undefined` when turned off. */
  readonly kafkaSaslPort: number | undefined;
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
  const kafkaPort = port(env['PSP_STACK_KAFKA_PORT'], 39092);
  const saslPort = env['PSP_STACK_KAFKA_SASL_PORT'];
  return {
    root,
    mavenRepo: resolve(root, 'm2'),
    kafkaPort,
    kafkaControllerPort: port(env['PSP_STACK_KAFKA_CONTROLLER_PORT'], 39093),
    // On by default (the secured-Kafka tests need it) at the plaintext port + 2; "off" leaves it out.
    kafkaSaslPort: saslPort === 'off' ? undefined : port(saslPort, kafkaPort + 2),
    mongoPort: port(env['PSP_STACK_MONGO_PORT'], 37017),
  };
};

export const kafkaBrokersOf = (layout: StackLayout): string => `127.0.0.1:${layout.kafkaPort}`;
export const mongoUrlOf = (layout: StackLayout): string =>
  `mongodb://127.0.0.1:${layout.mongoPort}/?directConnection=true`;

/** How a client reaches the local broker's SASL_SSL listener: the files are made when the stack installs. */
export interface SecuredKafkaEndpoint {
  readonly brokers: string;
  /** The local CA that signed the broker's and the client's certificates (PEM). */
  readonly caFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
  /** The SCRAM-SHA-256/512 and PLAIN user added when the broker's storage was formatted. */
  readonly username: string;
  readonly passwordFile: string;
}

export const kafkaTlsDirOf = (layout: StackLayout): string => resolve(layout.root, 'kafka', 'tls');

export const securedKafkaOf = (layout: StackLayout): SecuredKafkaEndpoint | undefined => {
  if (layout.kafkaSaslPort === undefined) return undefined;
  const dir = kafkaTlsDirOf(layout);
  return {
    brokers: `127.0.0.1:${layout.kafkaSaslPort}`,
    caFile: resolve(dir, 'ca.pem'),
    clientCertFile: resolve(dir, 'client.pem'),
    clientKeyFile: resolve(dir, 'client.key'),
    username: 'psp',
    passwordFile: resolve(dir, 'sasl-password'),
  };
};
