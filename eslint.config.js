// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * One `no-restricted-imports` block per room of src/: `may` lists the rooms it may import (every other room,
 * through any relative path, is refused; src/cli alone may import them all), `packages` the libraries it may
 * not use.
 * @param {Record<string, { may: string[]; packages: string[]; why: string }>} spec
 */
const rooms = (spec) =>
  Object.entries(spec).map(([room, { may, packages, why }]) => ({
    files: [`src/${room}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...Object.keys(spec)
              .concat('cli')
              .filter((other) => other !== room && !may.includes(other))
              .map((other) => ({
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
  // Rooms and who may enter (README "Architecture"): each room lists what it may import. Arrows point down
  // and never back; src/cli wires every room and is the only one that may import them all.
  ...rooms({
    errors: {
      may: [],
      packages: ['kafkajs', 'mongodb', 'rxjs', 'io-ts', 'fp-ts'],
      why: 'the closed list of error codes: data that every room may read, importing nothing',
    },
    codecs: { may: ['errors'], packages: ['kafkajs', 'mongodb', 'rxjs'], why: 'pure codecs: io-ts and fp-ts only' },
    config: { may: ['errors', 'codecs'], packages: ['kafkajs', 'mongodb'], why: 'environment decoding only' },
    operators: { may: ['errors'], packages: ['kafkajs', 'mongodb'], why: 'generic rxjs operators and backoff' },
    state: {
      may: ['errors', 'codecs', 'operators', 'outbox'],
      packages: ['kafkajs'],
      why: 'payment state on MongoDB: never Kafka, never the pipeline',
    },
    outbox: {
      may: ['errors', 'codecs', 'operators'],
      packages: ['kafkajs'],
      why: 'the transactional outbox: MongoDB and an injected sink',
    },
    streams: {
      may: ['errors', 'codecs', 'operators', 'state'],
      packages: ['kafkajs', 'mongodb'],
      why: 'the pipeline: Kafka and MongoDB arrive injected',
    },
    kafka: {
      may: ['errors', 'codecs', 'config', 'operators', 'streams', 'telemetry'],
      packages: ['mongodb'],
      why: "the Kafka edge: it implements the pipeline's ports, it holds no store code",
    },
    publisher: {
      may: ['errors', 'codecs', 'operators', 'outbox'],
      packages: ['kafkajs'],
      why: 'the publisher never decides payment state and never touches Kafka itself',
    },
    redrive: {
      may: ['errors', 'codecs', 'operators', 'state', 'kafka'],
      packages: [],
      why: 'the dead-letter redrive: the DLQ through src/kafka, its ledger in MongoDB',
    },
    telemetry: {
      may: ['errors', 'codecs', 'state'],
      packages: ['kafkajs', 'mongodb'],
      why: "logs, metrics, traces: the domain's vocabulary (codecs, outcomes) only",
    },
    stack: { may: [], packages: ['kafkajs', 'mongodb'], why: 'local servers: nothing of the domain' },
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
