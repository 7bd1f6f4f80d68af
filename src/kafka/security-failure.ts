/**
 * Kafka refusing who we are is a configuration problem, not an outage: retrying cannot help, so start-up
 * recognises it, says so in one line and exits with its own code instead of restarting into it forever.
 * Errors are told apart by kafkajs' error names, protocol error types and Node's TLS error codes.
 */
export type KafkaSecurityFailure =
  | { readonly _tag: 'SaslRejected'; readonly detail: string }
  | {
      readonly _tag: 'TlsRejected';
      readonly code: string;
      readonly broker: string | undefined;
      readonly detail: string;
    }
  | { readonly _tag: 'NotAuthorized'; readonly type: string; readonly detail: string };

/** Exit codes of every psp-stream command: 2 is a bad configuration, these two are Kafka refusing us. */
export const exitCodes = { cannotAuthenticate: 3, notAuthorized: 4 } as const;

// OpenSSL's certificate verification results as Node names them (tls.TLSSocket error codes).
const certificateCodes: ReadonlySet<string> = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_CHAIN_TOO_LONG',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const saslProtocolTypes: ReadonlySet<string> = new Set(['SASL_AUTHENTICATION_FAILED', 'UNSUPPORTED_SASL_MECHANISM']);

const authorizationTypes: ReadonlySet<string> = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
]);

const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const classifyOne = (error: unknown): KafkaSecurityFailure | undefined => {
  const name = text(field(error, 'name'));
  const code = text(field(error, 'code'));
  const type = text(field(error, 'type'));
  const detail = text(field(error, 'message')) ?? String(error);
  if (name === 'KafkaJSSASLAuthenticationError' || (type !== undefined && saslProtocolTypes.has(type))) {
    return { _tag: 'SaslRejected', detail };
  }
  if (type !== undefined && authorizationTypes.has(type)) return { _tag: 'NotAuthorized', type, detail };
  if (code !== undefined && (certificateCodes.has(code) || code.startsWith('ERR_SSL_'))) {
    return { _tag: 'TlsRejected', code, broker: text(field(error, 'broker')), detail };
  }
  return undefined;
};

/** The security failure in `error` or anywhere down its `cause` chain (kafkajs wraps what its retries gave up on). */
export const kafkaSecurityFailureOf = (error: unknown): KafkaSecurityFailure | undefined => {
  let current = error;
  for (let depth = 0; depth < 10 && current !== undefined && current !== null; depth += 1) {
    const failure = classifyOne(current);
    if (failure !== undefined) return failure;
    current = field(current, 'cause');
  }
  return undefined;
};

export const exitCodeOf = (failure: KafkaSecurityFailure): number =>
  failure._tag === 'NotAuthorized' ? exitCodes.notAuthorized : exitCodes.cannotAuthenticate;

/** The one line a command prints before it exits with `exitCodeOf`; it never holds a secret. */
export const describeKafkaSecurityFailure = (failure: KafkaSecurityFailure): string => {
  switch (failure._tag) {
    case 'SaslRejected':
      return `cannot authenticate to Kafka: ${failure.detail} (check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and the password)`;
    case 'TlsRejected': {
      const at = failure.broker === undefined ? '' : ` with ${failure.broker}`;
      const hint = failure.code.startsWith('ERR_SSL_')
        ? 'check KAFKA_SSL, KAFKA_SSL_CERT_FILE/KAFKA_SSL_KEY_FILE and that the port speaks TLS'
        : "the broker's certificate is not trusted: check KAFKA_SSL_CA_FILE";
      return `cannot authenticate to Kafka: TLS handshake${at} failed: ${failure.detail} [${failure.code}] (${hint})`;
    }
    case 'NotAuthorized':
      return `not authorized by Kafka: ${failure.type}: ${failure.detail} (the SASL user lacks an ACL)`;
    default: {
      const unknown: never = failure;
      return String(unknown);
    }
  }
};
