import type { ConnectionOptions } from 'node:tls';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import kafkajs, { type OauthbearerProviderResponse, type SASLOptions } from 'kafkajs';
import type { ConfigOf } from '../config/env-spec.js';
import type { kafkaSecurityEnv } from '../config/kafka-security-env.js';

// kafkajs is CommonJS: Node's ESM loader cannot see this class as a named export; its typings miss the
// constructor's message argument, which the class (a KafkaJSNonRetriableError) takes.
const SaslAuthenticationError = kafkajs.KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error;

/** The decoded Kafka security variables; every process's configuration includes them. */
export type KafkaSecurityConfig = ConfigOf<typeof kafkaSecurityEnv>;

/** The token-provider hook: kafkajs' own `oauthBearerProvider` contract. */
export type OauthBearerProvider = () => Promise<OauthbearerProviderResponse>;

/** What `new Kafka({...})` takes for TLS and SASL. */
export interface KafkaJsSecurity {
  readonly ssl?: ConnectionOptions;
  readonly sasl?: SASLOptions;
}

/** Imports the hook module: its default export, or its `oauthBearerProvider` export. */
export const importTokenProvider = async (module: string): Promise<OauthBearerProvider> => {
  const loaded = (await import(isAbsolute(module) ? pathToFileURL(module).href : module)) as Record<string, unknown>;
  const provider = loaded['oauthBearerProvider'] ?? loaded['default'];
  if (typeof provider !== 'function') {
    throw new Error(`${module} exports no oauthBearerProvider or default function`);
  }
  return provider as OauthBearerProvider;
};

/**
 * The hook as kafkajs calls it, before each (re)authentication: the module is imported on the first call,
 * and any failure to get a token is an authentication failure (which start-up reports and exits on).
 */
const tokenProviderOf = (
  module: string,
  load: (module: string) => Promise<OauthBearerProvider>,
): OauthBearerProvider => {
  let provider: Promise<OauthBearerProvider> | undefined;
  return async () => {
    try {
      provider ??= load(module);
      const token = await (await provider)();
      if (typeof token.value !== 'string' || token.value === '') throw new Error('it returned no token value');
      return token;
    } catch (error: unknown) {
      provider = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      throw new SaslAuthenticationError(`SASL OAUTHBEARER: the token provider failed: ${reason}`);
    }
  };
};

const saslOf = (
  c: KafkaSecurityConfig,
  load: (module: string) => Promise<OauthBearerProvider>,
): SASLOptions | undefined => {
  switch (c.KAFKA_SASL_MECHANISM) {
    case undefined:
      return undefined;
    case 'oauthbearer': {
      // decodeEnv's checks make these present for this mechanism.
      const module = c.KAFKA_SASL_OAUTHBEARER_PROVIDER ?? '';
      return { mechanism: 'oauthbearer', oauthBearerProvider: tokenProviderOf(module, load) };
    }
    case 'plain':
    case 'scram-sha-256':
    case 'scram-sha-512': {
      const password = (c.KAFKA_SASL_PASSWORD ?? c.KAFKA_SASL_PASSWORD_FILE)?.reveal() ?? '';
      return { mechanism: c.KAFKA_SASL_MECHANISM, username: c.KAFKA_SASL_USERNAME ?? '', password };
    }
    default: {
      const unknown: never = c.KAFKA_SASL_MECHANISM;
      throw new Error(`unknown SASL mechanism ${String(unknown)}`);
    }
  }
};

/**
 * The one mapping from the Kafka security variables to kafkajs' `ssl` and `sasl` options; `createKafka`
 * applies it to every client. Without KAFKA_SSL and KAFKA_SASL_MECHANISM both are absent: plaintext.
 */
export const kafkaJsSecurity = (
  c: KafkaSecurityConfig,
  load: (module: string) => Promise<OauthBearerProvider> = importTokenProvider,
): KafkaJsSecurity => {
  const ssl: ConnectionOptions | undefined = c.KAFKA_SSL
    ? {
        rejectUnauthorized: c.KAFKA_SSL_REJECT_UNAUTHORIZED,
        ...(c.KAFKA_SSL_CA_FILE === undefined ? {} : { ca: [c.KAFKA_SSL_CA_FILE] }),
        ...(c.KAFKA_SSL_CERT_FILE === undefined ? {} : { cert: c.KAFKA_SSL_CERT_FILE }),
        ...(c.KAFKA_SSL_KEY_FILE === undefined ? {} : { key: c.KAFKA_SSL_KEY_FILE.reveal() }),
      }
    : undefined;
  const sasl = saslOf(c, load);
  return { ...(ssl === undefined ? {} : { ssl }), ...(sasl === undefined ? {} : { sasl }) };
};
