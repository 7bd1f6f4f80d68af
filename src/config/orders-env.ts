import { intInRange, nonEmptyTrimmed } from './env-codecs.js';
import { connectionEnv } from './connection-env.js';
import { envVar } from './env-spec.js';

/** What `psp-stream orders create` reads from its environment. */
export const ordersEnv = {
  ...connectionEnv,
  PSP_COMMAND_TOPIC: envVar({
    codec: nonEmptyTrimmed,
    fallback: 'payment-order-commands',
    description: 'topic of commands for the executor',
  }),
  COMMAND_GRACE_MS: envVar({
    codec: intInRange(100, 3_600_000),
    fallback: '30000',
    description: 'after this, a created order whose first command was never recorded is sent by the dispatcher',
  }),
};
