// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * One `no-restricted-imports` block per room of src/: `not` lists the rooms it may not import (any relative path
 * through them), `packages` the libraries it may not use.
 * @param {Record<string, { not: string[]; packages: string[]; why: string }>} spec
 */
const rooms = (spec) =>
  Object.entries(spec).map(([room, { not, packages, why }]) => ({
    files: [`src/${room}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...not.map((other) => ({
              group: [`**/${other}/**`, `../${other}/*`],
              message: `src/${room}/ must not import src/${other}/: ${why}.`,
            })),
            ...(packages.length === 0
              ? []
              : [{ group: packages, message: `src/${room}/ must not use ${packages.join(', ')}: ${why}.` }]),
          ],
        },
      ],
    },
  }));

export default tseslint.config(
  { ignores: ['dist/', '.stack/', 'node_modules/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Rooms and who may enter (README "Architecture"): each room lists what it must not import. Arrows point down
  // and never back; src/cli wires every room and is the only one that may import them all.
  ...rooms({
    errors: {
      not: [
        'codecs',
        'config',
        'operators',
        'state',
        'outbox',
        'streams',
        'kafka',
        'publisher',
        'redrive',
        'telemetry',
        'stack',
        'cli',
      ],
      packages: ['kafkajs', 'mongodb', 'rxjs', 'io-ts', 'fp-ts'],
      why: 'the closed list of error codes: data that every room may read, importing nothing',
    },
    codecs: {
      not: [
        'config',
        'operators',
        'state',
        'outbox',
        'streams',
        'kafka',
        'publisher',
        'redrive',
        'telemetry',
        'stack',
        'cli',
      ],
      packages: ['kafkajs', 'mongodb', 'rxjs'],
      why: 'pure codecs: io-ts and fp-ts only',
    },
    config: {
      not: ['operators', 'state', 'outbox', 'streams', 'kafka', 'publisher', 'redrive', 'telemetry', 'stack', 'cli'],
      packages: ['kafkajs', 'mongodb'],
      why: 'environment decoding only',
    },
    operators: {
      not: [
        'codecs',
        'config',
        'state',
        'outbox',
        'streams',
        'kafka',
        'publisher',
        'redrive',
        'telemetry',
        'stack',
        'cli',
      ],
      packages: ['kafkajs', 'mongodb'],
      why: 'generic rxjs operators and backoff',
    },
    state: {
      not: ['config', 'streams', 'kafka', 'publisher', 'redrive', 'telemetry', 'stack', 'cli'],
      packages: ['kafkajs'],
      why: 'payment state on MongoDB: never Kafka, never the pipeline',
    },
    outbox: {
      not: ['config', 'state', 'streams', 'kafka', 'publisher', 'redrive', 'telemetry', 'stack', 'cli'],
      packages: ['kafkajs'],
      why: 'the transactional outbox: MongoDB and an injected sink',
    },
    streams: {
      not: ['config', 'outbox', 'kafka', 'publisher', 'redrive', 'telemetry', 'stack', 'cli'],
      packages: ['kafkajs', 'mongodb'],
      why: 'the pipeline: Kafka and MongoDB arrive injected',
    },
    kafka: {
      not: ['state', 'outbox', 'publisher', 'redrive', 'stack', 'cli'],
      packages: ['mongodb'],
      why: "the Kafka edge: it implements the pipeline's ports, it holds no store code",
    },
    publisher: {
      not: ['config', 'state', 'streams', 'kafka', 'redrive', 'telemetry', 'stack', 'cli'],
      packages: ['kafkajs'],
      why: 'the publisher never decides payment state and never touches Kafka itself',
    },
    redrive: {
      not: ['config', 'outbox', 'streams', 'publisher', 'telemetry', 'stack', 'cli'],
      packages: [],
      why: 'the dead-letter redrive: the DLQ through src/kafka, its ledger in MongoDB',
    },
    telemetry: {
      not: ['config', 'operators', 'outbox', 'streams', 'kafka', 'publisher', 'redrive', 'stack', 'cli'],
      packages: ['kafkajs', 'mongodb'],
      why: "logs, metrics, traces: the domain's vocabulary (codecs, outcomes) only",
    },
    stack: {
      not: [
        'codecs',
        'config',
        'operators',
        'state',
        'outbox',
        'streams',
        'kafka',
        'publisher',
        'redrive',
        'telemetry',
        'cli',
      ],
      packages: ['kafkajs', 'mongodb'],
      why: 'local servers: nothing of the domain',
    },
  }),
  {
    files: ['support/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/test/**', '**/bench/**'],
              message: 'support/ serves test/ and bench/: it imports src/ only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/test/**'], message: 'bench/ must not import test/: shared helpers live in support/.' },
          ],
        },
      ],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
