/** Prints the configuration table of README.md from the env specs the processes decode at start-up. */
import { executorEnv } from '../src/config/executor-env.js';
import { ordersEnv } from '../src/config/orders-env.js';
import { workerEnv } from '../src/config/worker-env.js';
import type { EnvSpec } from '../src/config/env-spec.js';

const specs: readonly (readonly [string, EnvSpec])[] = [
  ['worker', workerEnv],
  ['executor', executorEnv],
  ['orders create', ordersEnv],
];
const rows = new Map<string, { readonly description: string; readonly fallback: string; readonly used: string[] }>();
for (const [command, spec] of specs) {
  for (const [name, v] of Object.entries(spec)) {
    const row = rows.get(name) ?? {
      description: v.description,
      fallback: v.optional === true ? '(unset)' : (v.fallback ?? '(required)'),
      used: [],
    };
    row.used.push(command);
    rows.set(name, row);
  }
}
console.log('| variable | default | used by | what |');
console.log('|---|---|---|---|');
for (const [name, r] of rows) {
  console.log(
    `| \`${name}\` | ${r.fallback === '(required)' ? '**required**' : r.fallback === '(unset)' ? 'unset' : `\`${r.fallback}\``} | ${r.used.join(', ')} | ${r.description} |`,
  );
}
