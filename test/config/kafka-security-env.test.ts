import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodeEnv } from '../../src/config/env-spec.js';
import { kafkaSecurityEnv } from '../../src/config/kafka-security-env.js';
import { workerEnv } from '../../src/config/worker-env.js';
import { createLogger } from '../../src/telemetry/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'kafka-security-env-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n');
const cert = file('client.pem', '-----BEGIN CERTIFICATE-----\nY2xpZW50\n-----END CERTIFICATE-----\n');
const key = file('client.key', '-----BEGIN PRIVATE KEY-----\na2V5LXNlY3JldA==\n-----END PRIVATE KEY-----\n');
const password = 'pa55-word-never-shown';
const passwordFile = file('password', `${password}\n`);

const problemsOf = (env: Record<string, string>): readonly string[] => {
  const decoded = decodeEnv(kafkaSecurityEnv, env);
  return E.isLeft(decoded) ? decoded.left.problems : [];
};
const decoded = (env: Record<string, string>) => {
  const result = decodeEnv(kafkaSecurityEnv, env);
  if (E.isLeft(result)) throw new Error(result.left.problems.join('\n'));
  return result.right;
};

describe('Kafka security variables', () => {
  it('are all optional: an empty environment means plaintext without SASL', () => {
    expect(decoded({})).toEqual({
      KAFKA_SSL: false,
      KAFKA_SSL_CA_FILE: undefined,
      KAFKA_SSL_CERT_FILE: undefined,
      KAFKA_SSL_KEY_FILE: undefined,
      KAFKA_SSL_REJECT_UNAUTHORIZED: true,
      KAFKA_SASL_MECHANISM: undefined,
      KAFKA_SASL_USERNAME: undefined,
      KAFKA_SASL_PASSWORD: undefined,
      KAFKA_SASL_PASSWORD_FILE: undefined,
      KAFKA_SASL_OAUTHBEARER_PROVIDER: undefined,
    });
  });

  it('are part of every process configuration', () => {
    const result = decodeEnv(workerEnv, { KAFKA_BROKERS: 'b:9092', MONGO_URL: 'mongodb://m', KAFKA_SSL: 'true' });
    expect(E.isRight(result) && result.right.KAFKA_SSL).toBe(true);
  });

  it('decode TLS files to their contents, verifying brokers by default', () => {
    const c = decoded({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: ca, KAFKA_SSL_CERT_FILE: cert, KAFKA_SSL_KEY_FILE: key });
    expect(c.KAFKA_SSL_CA_FILE).toContain('Q0E=');
    expect(c.KAFKA_SSL_CERT_FILE).toContain('Y2xpZW50');
    expect(c.KAFKA_SSL_KEY_FILE?.reveal()).toContain('a2V5LXNlY3JldA==');
    expect(c.KAFKA_SSL_REJECT_UNAUTHORIZED).toBe(true);
  });

  it('read the password from a file without its trailing newline', () => {
    const c = decoded({
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'psp',
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
    });
    expect(c.KAFKA_SASL_PASSWORD_FILE?.reveal()).toBe(password);
  });

  it('name a missing or unreadable file, one line per variable', () => {
    expect(
      problemsOf({
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: join(dir, 'absent.pem'),
        KAFKA_SSL_CERT_FILE: passwordFile,
        KAFKA_SSL_KEY_FILE: cert,
      }),
    ).toEqual([
      `KAFKA_SSL_CA_FILE="${join(dir, 'absent.pem')}" is invalid: expected path of a readable PEM file`,
      `KAFKA_SSL_CERT_FILE="${passwordFile}" is invalid: expected path of a readable PEM file`,
      `KAFKA_SSL_KEY_FILE="${cert}" is invalid: expected path of a readable PEM private key file`,
    ]);
  });

  it('refuse contradictions with a line that says what to change', () => {
    expect(problemsOf({ KAFKA_SSL_CA_FILE: ca })).toEqual([
      'KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true: turn TLS on or unset it',
    ]);
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: cert })).toEqual([
      'KAFKA_SSL_CERT_FILE needs KAFKA_SSL_KEY_FILE',
    ]);
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_PASSWORD: password })).toEqual([
      'KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME',
    ]);
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'psp' })).toEqual([
      'KAFKA_SASL_MECHANISM needs KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE',
    ]);
    expect(
      problemsOf({
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'psp',
        KAFKA_SASL_PASSWORD: password,
        KAFKA_SASL_PASSWORD_FILE: passwordFile,
      }),
    ).toEqual(['KAFKA_SASL_PASSWORD_FILE and KAFKA_SASL_PASSWORD are both set: keep one']);
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'oauthbearer' })).toEqual([
      'KAFKA_SASL_MECHANISM needs KAFKA_SASL_OAUTHBEARER_PROVIDER',
    ]);
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'gssapi' })).toEqual([
      'KAFKA_SASL_MECHANISM="gssapi" is invalid: expected "plain" | "scram-sha-256" | "scram-sha-512" | "oauthbearer"',
    ]);
    expect(problemsOf({ KAFKA_SASL_OAUTHBEARER_PROVIDER: 'some-package' })).toEqual([
      'KAFKA_SASL_OAUTHBEARER_PROVIDER is set but KAFKA_SASL_MECHANISM is not oauthbearer',
    ]);
    expect(
      problemsOf({ KAFKA_SASL_MECHANISM: 'oauthbearer', KAFKA_SASL_OAUTHBEARER_PROVIDER: './absent.mjs' }),
    ).toEqual([
      'KAFKA_SASL_OAUTHBEARER_PROVIDER="./absent.mjs" is invalid: expected path of an existing module file, or a package name',
    ]);
  });

  it('never echo the password, in a problem line or in the decoded configuration', () => {
    const problems = problemsOf({ KAFKA_SASL_PASSWORD: password, KAFKA_SSL: 'maybe' });
    expect(problems).toEqual([
      'KAFKA_SSL="maybe" is invalid: expected true or false',
      'KAFKA_SASL_PASSWORD is set but KAFKA_SASL_MECHANISM is not plain, scram-sha-256 or scram-sha-512',
    ]);
    const c = decoded({
      KAFKA_SSL: 'true',
      KAFKA_SSL_CERT_FILE: cert,
      KAFKA_SSL_KEY_FILE: key,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'psp',
      KAFKA_SASL_PASSWORD: password,
    });
    const lines: string[] = [];
    const logger = createLogger({ name: 't', level: 'info', destination: { write: (l: string) => lines.push(l) } });
    logger.info({ config: c }, 'configuration');
    for (const shown of [JSON.stringify(c), inspect(c, { depth: 5 }), String(c.KAFKA_SASL_PASSWORD), ...lines]) {
      expect(shown).not.toContain(password);
      expect(shown).not.toContain('a2V5LXNlY3JldA==');
    }
    expect(JSON.stringify(c)).toContain('"KAFKA_SASL_PASSWORD":"[secret]"');
  });
});
