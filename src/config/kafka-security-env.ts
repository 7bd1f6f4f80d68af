import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { bool, modulePath, nonEmptyTrimmed, pemFile, pemKeyFile, secretFile, secretString } from './env-codecs.js';
import { envVar, optionalEnvVar } from './env-spec.js';

const isSet = (env: NodeJS.ProcessEnv, name: string): boolean => env[name] !== undefined && env[name] !== '';
const sslOn = (env: NodeJS.ProcessEnv): boolean => {
  const v = bool.decode(env['KAFKA_SSL'] ?? 'false');
  return E.isRight(v) && v.right;
};
const mechanismOf = (env: NodeJS.ProcessEnv): string | undefined => env['KAFKA_SASL_MECHANISM']?.trim();
const usesPassword = (env: NodeJS.ProcessEnv): boolean => {
  const m = mechanismOf(env);
  return m === 'plain' || m === 'scram-sha-256' || m === 'scram-sha-512';
};

const needsSsl = (env: NodeJS.ProcessEnv): string | undefined =>
  sslOn(env) ? undefined : 'is set but KAFKA_SSL is not true: turn TLS on or unset it';
const needsPasswordMechanism = (env: NodeJS.ProcessEnv): string | undefined =>
  usesPassword(env) ? undefined : 'is set but KAFKA_SASL_MECHANISM is not plain, scram-sha-256 or scram-sha-512';

export const saslMechanism = t.keyof({ plain: null, 'scram-sha-256': null, 'scram-sha-512': null, oauthbearer: null });
export type SaslMechanism = t.TypeOf<typeof saslMechanism>;

/**
 * How psp-stream authenticates to Kafka: TLS (CA, client certificate and key from files; the broker's
 * certificate verified by default) and SASL (plain, SCRAM with the password from a variable or a file, or
 * OAUTHBEARER through a token-provider module). File variables decode to the files' contents, so a missing
 * or unreadable file fails at start-up; passwords and keys decode to `Secret`s that never print.
 */
export const kafkaSecurityEnv = {
  KAFKA_SSL: envVar({ codec: bool, fallback: 'false', description: 'connect to Kafka over TLS' }),
  KAFKA_SSL_CA_FILE: optionalEnvVar({
    codec: pemFile,
    description: "PEM file of the CA(s) that signed the brokers' certificates (unset: the system's CAs)",
    check: needsSsl,
  }),
  KAFKA_SSL_CERT_FILE: optionalEnvVar({
    codec: pemFile,
    description: 'PEM file of the client certificate, for brokers that check clients by certificate (mTLS)',
    check: (env) => needsSsl(env) ?? (isSet(env, 'KAFKA_SSL_KEY_FILE') ? undefined : 'needs KAFKA_SSL_KEY_FILE'),
  }),
  KAFKA_SSL_KEY_FILE: optionalEnvVar({
    codec: pemKeyFile,
    description: "PEM file of the client certificate's private key (unencrypted)",
    check: (env) => needsSsl(env) ?? (isSet(env, 'KAFKA_SSL_CERT_FILE') ? undefined : 'needs KAFKA_SSL_CERT_FILE'),
  }),
  KAFKA_SSL_REJECT_UNAUTHORIZED: envVar({
    codec: bool,
    fallback: 'true',
    description: 'refuse brokers whose certificate the CAs do not verify; false is for local tests only',
    check: needsSsl,
  }),
  KAFKA_SASL_MECHANISM: optionalEnvVar({
    codec: saslMechanism,
    description: 'SASL mechanism: plain, scram-sha-256, scram-sha-512 or oauthbearer (unset: no SASL)',
    check: (env) => {
      if (mechanismOf(env) === 'oauthbearer') {
        return isSet(env, 'KAFKA_SASL_OAUTHBEARER_PROVIDER') ? undefined : 'needs KAFKA_SASL_OAUTHBEARER_PROVIDER';
      }
      if (!isSet(env, 'KAFKA_SASL_USERNAME')) return 'needs KAFKA_SASL_USERNAME';
      return isSet(env, 'KAFKA_SASL_PASSWORD') || isSet(env, 'KAFKA_SASL_PASSWORD_FILE')
        ? undefined
        : 'needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE';
    },
  }),
  KAFKA_SASL_USERNAME: optionalEnvVar({
    codec: nonEmptyTrimmed,
    description: 'SASL user (plain and SCRAM)',
    check: needsPasswordMechanism,
  }),
  KAFKA_SASL_PASSWORD: optionalEnvVar({
    codec: secretString,
    description: 'SASL password (plain and SCRAM); never printed',
    secret: true,
    check: needsPasswordMechanism,
  }),
  KAFKA_SASL_PASSWORD_FILE: optionalEnvVar({
    codec: secretFile,
    description: 'file holding the SASL password, instead of KAFKA_SASL_PASSWORD (e.g. a mounted secret)',
    check: (env) =>
      needsPasswordMechanism(env) ??
      (isSet(env, 'KAFKA_SASL_PASSWORD') ? 'and KAFKA_SASL_PASSWORD are both set: keep one' : undefined),
  }),
  KAFKA_SASL_OAUTHBEARER_PROVIDER: optionalEnvVar({
    codec: modulePath,
    description: 'module whose default (or oauthBearerProvider) export returns OAUTHBEARER tokens, e.g. for MSK IAM',
    check: (env) =>
      mechanismOf(env) === 'oauthbearer' ? undefined : 'is set but KAFKA_SASL_MECHANISM is not oauthbearer',
  }),
};
