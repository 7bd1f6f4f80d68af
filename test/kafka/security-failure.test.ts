import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { describeKafkaSecurityFailure, exitCodeOf, kafkaSecurityFailureOf } from '../../src/kafka/security-failure.js';

const { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSSASLAuthenticationError } =
  kafkajs;
type Ctor = new (message: string, options?: Record<string, unknown>) => Error;
const saslError = (message: string): Error => new (KafkaJSSASLAuthenticationError as unknown as Ctor)(message);
const connectionError = (message: string, code: string): Error =>
  new (KafkaJSConnectionError as unknown as Ctor)(message, { broker: '127.0.0.1:43094', code });
/** What kafkajs throws once its retries gave up. */
const gaveUp = (cause: Error): Error =>
  new (KafkaJSNumberOfRetriesExceeded as unknown as Ctor)(cause as unknown as string, {
    retryCount: 8,
    retryTime: 5000,
  });

describe('kafkaSecurityFailureOf', () => {
  it('recognises rejected SASL credentials: exit 3, one line naming what to check', () => {
    const failure = kafkaSecurityFailureOf(
      saslError('SASL SCRAM SHA512 authentication failed: invalid credentials with SASL mechanism SCRAM-SHA-512'),
    );
    expect(failure?._tag).toBe('SaslRejected');
    if (failure === undefined) return;
    expect(exitCodeOf(failure)).toBe(3);
    const line = describeKafkaSecurityFailure(failure);
    expect(line).toMatch(/^cannot authenticate to Kafka: SASL SCRAM SHA512 authentication failed/);
    expect(line).toContain('KAFKA_SASL_USERNAME');
    expect(line).not.toContain('\n');
  });

  it('finds an untrusted broker certificate under the error kafkajs gives up with', () => {
    const failure = kafkaSecurityFailureOf(
      gaveUp(
        connectionError('Connection error: self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      ),
    );
    expect(failure).toEqual({
      _tag: 'TlsRejected',
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
      broker: '127.0.0.1:43094',
      detail: 'Connection error: self-signed certificate in certificate chain',
    });
    if (failure === undefined) return;
    expect(exitCodeOf(failure)).toBe(3);
    expect(describeKafkaSecurityFailure(failure)).toBe(
      'cannot authenticate to Kafka: TLS handshake with 127.0.0.1:43094 failed: Connection error: self-signed ' +
        "certificate in certificate chain [SELF_SIGNED_CERT_IN_CHAIN] (the broker's certificate is not trusted: " +
        'check KAFKA_SSL_CA_FILE)',
    );
  });

  it.each([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ERR_SSL_WRONG_VERSION_NUMBER',
  ])('counts %s as a TLS refusal', (code) => {
    expect(kafkaSecurityFailureOf(connectionError('Connection error: x', code))?._tag).toBe('TlsRejected');
  });

  it('leaves outages to the retry layers: refused or reset connections, timeouts, other errors', () => {
    for (const error of [
      gaveUp(connectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED')),
      connectionError('Connection error: read ECONNRESET', 'ECONNRESET'),
      new (KafkaJSConnectionError as unknown as Ctor)('Connection timeout'),
      new Error('boom'),
      undefined,
      'text',
    ]) {
      expect(kafkaSecurityFailureOf(error)).toBeUndefined();
    }
  });

  it('tells a missing ACL (exit 4) from failed authentication', () => {
    const error = new (KafkaJSProtocolError as unknown as Ctor)({
      message: 'Not authorized to access topics: [Topic authorization failed]',
      type: 'TOPIC_AUTHORIZATION_FAILED',
      code: 29,
      retriable: false,
    } as unknown as string);
    const failure = kafkaSecurityFailureOf(error);
    expect(failure?._tag).toBe('NotAuthorized');
    if (failure === undefined) return;
    expect(exitCodeOf(failure)).toBe(4);
    expect(describeKafkaSecurityFailure(failure)).toMatch(/^not authorized by Kafka: TOPIC_AUTHORIZATION_FAILED: /);
  });
});
