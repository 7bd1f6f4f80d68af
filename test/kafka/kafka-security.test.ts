import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeEnv } from '../../src/config/env-spec.js';
import { kafkaSecurityEnv } from '../../src/config/kafka-security-env.js';
import { kafkaJsSecurity } from '../../src/kafka/kafka-security.js';
import { kafkaSecurityFailureOf } from '../../src/kafka/security-failure.js';

const dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const caPem = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n';
const certPem = '-----BEGIN CERTIFICATE-----\nY2xpZW50\n-----END CERTIFICATE-----\n';
const keyPem = '-----BEGIN PRIVATE KEY-----\na2V5\n-----END PRIVATE KEY-----\n';

const securityOf = (env: Record<string, string>) => {
  const decoded = decodeEnv(kafkaSecurityEnv, env);
  if (E.isLeft(decoded)) throw new Error(decoded.left.problems.join('\n'));
  return decoded.right;
};

describe('kafkaJsSecurity: the security variables as kafkajs options', () => {
  it('gives neither ssl nor sasl when nothing is set: plaintext, as before', () => {
    expect(kafkaJsSecurity(securityOf({}))).toEqual({});
  });

  it('verifies the broker with the system CAs when only KAFKA_SSL is set', () => {
    expect(kafkaJsSecurity(securityOf({ KAFKA_SSL: 'true' }))).toEqual({ ssl: { rejectUnauthorized: true } });
  });

  it('passes the CA, client certificate and key, and the verification switch', () => {
    const env = {
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: file('ca.pem', caPem),
      KAFKA_SSL_CERT_FILE: file('client.pem', certPem),
      KAFKA_SSL_KEY_FILE: file('client.key', keyPem),
      KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
    };
    expect(kafkaJsSecurity(securityOf(env))).toEqual({
      ssl: { rejectUnauthorized: false, ca: [caPem], cert: certPem, key: keyPem },
    });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('maps %s with the password from the variable', (m) => {
    const env = { KAFKA_SASL_MECHANISM: m, KAFKA_SASL_USERNAME: 'psp', KAFKA_SASL_PASSWORD: 's3cret' };
    expect(kafkaJsSecurity(securityOf(env))).toEqual({ sasl: { mechanism: m, username: 'psp', password: 's3cret' } });
  });

  it('takes the password from KAFKA_SASL_PASSWORD_FILE', () => {
    const env = {
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'psp',
      KAFKA_SASL_PASSWORD_FILE: file('password', 'from-a-file\n'),
    };
    expect(kafkaJsSecurity(securityOf(env)).sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'psp',
      password: 'from-a-file',
    });
  });

  it('calls the oauthbearer hook module for each token, importing it once', async () => {
    const module = file(
      'token-provider.mjs',
      'let calls = 0;\nexport default async () => ({ value: `token-${++calls}` });\n',
    );
    const env = { KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_OAUTHBEARER_PROVIDER: module };
    const { sasl } = kafkaJsSecurity(securityOf(env));
    if (sasl?.mechanism !== 'oauthbearer') throw new Error('expected oauthbearer');
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 'token-1' });
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 'token-2' });
  });

  it('takes a named oauthBearerProvider export too', async () => {
    const module = file('named.mjs', "export const oauthBearerProvider = async () => ({ value: 'named' });\n");
    const env = { KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_OAUTHBEARER_PROVIDER: module };
    const { sasl } = kafkaJsSecurity(securityOf(env));
    if (sasl?.mechanism !== 'oauthbearer') throw new Error('expected oauthbearer');
    expect(await sasl.oauthBearerProvider()).toEqual({ value: 'named' });
  });

  it('turns a failing or empty token provider into an authentication failure', async () => {
    const failing = file('failing.mjs', "export default async () => { throw new Error('no IAM role'); };\n");
    const empty = file('empty.mjs', 'export default async () => ({});\n');
    const notAFunction = file('none.mjs', 'export const token = 1;\n');
    for (const [module, reason] of [
      [failing, 'no IAM role'],
      [empty, 'it returned no token value'],
      [notAFunction, 'exports no oauthBearerProvider or default function'],
    ] as const) {
      const env = { KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_OAUTHBEARER_PROVIDER: module };
      const { sasl } = kafkaJsSecurity(securityOf(env));
      if (sasl?.mechanism !== 'oauthbearer') throw new Error('expected oauthbearer');
      const error = await sasl.oauthBearerProvider().catch((e: unknown) => e);
      expect(kafkaSecurityFailureOf(error)).toEqual({
        _tag: 'SaslRejected',
        detail: expect.stringContaining(reason) as unknown,
      });
    }
  });
});
