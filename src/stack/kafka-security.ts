import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { kafkaTlsDirOf, securedKafkaOf, type SecuredKafkaEndpoint, type StackLayout } from './layout.js';

/** A certificate and its private key, both PEM files. */
export interface KeyPair {
  readonly certFile: string;
  readonly keyFile: string;
}

const openssl = (args: readonly string[]): void => {
  execFileSync('openssl', [...args], { stdio: ['ignore', 'ignore', 'pipe'] });
};

/** A fresh self-signed CA in `dir` (`<name>.pem`, `<name>.key`), good for ten years. */
export const makeCertificateAuthority = (dir: string, name: string): KeyPair => {
  mkdirSync(dir, { recursive: true });
  const pair = { certFile: resolve(dir, `${name}.pem`), keyFile: resolve(dir, `${name}.key`) };
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '3650',
    '-keyout',
    pair.keyFile,
    '-out',
    pair.certFile,
    '-subj',
    `/CN=psp-stream ${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  chmodSync(pair.keyFile, 0o600);
  return pair;
};

/** A certificate for 127.0.0.1/localhost signed by `ca`, usable by a TLS server and a TLS client. */
export const issueCertificate = (ca: KeyPair, dir: string, name: string): KeyPair => {
  const pair = { certFile: resolve(dir, `${name}.pem`), keyFile: resolve(dir, `${name}.key`) };
  const csr = resolve(dir, `${name}.csr`);
  const ext = resolve(dir, `${name}.ext`);
  writeFileSync(
    ext,
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n',
  );
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', pair.keyFile, '-out', csr, '-subj', `/CN=${name}`]);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.certFile,
    '-CAkey',
    ca.keyFile,
    '-CAcreateserial',
    '-days',
    '3650',
    '-extfile',
    ext,
    '-out',
    pair.certFile,
  ]);
  chmodSync(pair.keyFile, 0o600);
  rmSync(csr);
  rmSync(ext);
  return pair;
};

/** What the broker's SASL_SSL listener is configured with. */
export interface BrokerTls {
  readonly endpoint: SecuredKafkaEndpoint;
  /** PEM keystore: the broker's private key (PKCS#8, unencrypted) followed by its certificate chain. */
  readonly keystoreFile: string;
  /** PEM truststore: the local CA, for client certificates. */
  readonly truststoreFile: string;
  readonly password: string;
}

/**
 * The local CA, the broker's keystore, a client certificate and the SCRAM user's password, made once with
 * openssl and kept in the stack folder; a half-made folder (no marker) is made again.
 */
export const ensureBrokerTls = (layout: StackLayout): BrokerTls | undefined => {
  const endpoint = securedKafkaOf(layout);
  if (endpoint === undefined) return undefined;
  const dir = kafkaTlsDirOf(layout);
  const keystoreFile = resolve(dir, 'broker-keystore.pem');
  const marker = resolve(dir, '.complete');
  if (!existsSync(marker)) {
    rmSync(dir, { recursive: true, force: true });
    const ca = makeCertificateAuthority(dir, 'ca');
    const broker = issueCertificate(ca, dir, 'broker');
    issueCertificate(ca, dir, 'client');
    writeFileSync(
      keystoreFile,
      [broker.keyFile, broker.certFile, ca.certFile].map((f) => readFileSync(f, 'utf8')).join(''),
      { mode: 0o600 },
    );
    // Hex: safe inside JAAS quotes and StorageTool's `[name=…,password=…]`.
    writeFileSync(endpoint.passwordFile, `${randomBytes(18).toString('hex')}\n`, { mode: 0o600 });
    writeFileSync(marker, new Date().toISOString());
  }
  return {
    endpoint,
    keystoreFile,
    truststoreFile: endpoint.caFile,
    password: readFileSync(endpoint.passwordFile, 'utf8').trim(),
  };
};

/** The SASL_SSL listener's lines of server.properties. */
export const saslSslProperties = (tls: BrokerTls): readonly string[] => {
  const user = tls.endpoint.username;
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  const plain = `org.apache.kafka.common.security.plain.PlainLoginModule required username="${user}" password="${tls.password}" user_${user}="${tls.password}";`;
  return [
    'listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN',
    `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${scram}`,
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${scram}`,
    `listener.name.sasl_ssl.plain.sasl.jaas.config=${plain}`,
    'listener.name.sasl_ssl.ssl.keystore.type=PEM',
    `listener.name.sasl_ssl.ssl.keystore.location=${tls.keystoreFile}`,
    'listener.name.sasl_ssl.ssl.truststore.type=PEM',
    `listener.name.sasl_ssl.ssl.truststore.location=${tls.truststoreFile}`,
    // A client certificate is checked when one is sent, not demanded: SASL alone (as on MSK) works too.
    'listener.name.sasl_ssl.ssl.client.auth=requested',
  ];
};

/** StorageTool's `--add-scram` arguments: the user exists from the first start, for both SCRAM hashes. */
export const scramFormatArgs = (tls: BrokerTls): readonly string[] =>
  ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => [
    '--add-scram',
    `${m}=[name=${tls.endpoint.username},password=${tls.password}]`,
  ]);

/** ConfigCommand's `--add-config` values, one per mechanism: the user for a broker formatted before SASL_SSL. */
export const scramConfigValues = (tls: BrokerTls): readonly string[] =>
  ['SCRAM-SHA-256', 'SCRAM-SHA-512'].map((m) => `${m}=[password=${tls.password}]`);
