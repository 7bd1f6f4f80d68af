import { spawn } from 'node:child_process';
import { localStack, startEmbedded, stopServers } from '../stack/local-stack.js';
import { provision } from './stack-command.js';

/**
 * Runs a command against the local stack: starts whatever the environment does not provide, hands the
 * command KAFKA_BROKERS and MONGO_URL, and afterwards stops only what it started itself.
 * usage: tsx src/cli/with-local-stack.ts <command> [args...]
 */
const main = async (): Promise<number> => {
  const [command, ...args] = process.argv.slice(2);
  if (command === undefined) {
    console.error('usage: with-local-stack <command> [args...]');
    return 2;
  }
  const stack = localStack();
  const started = await startEmbedded(stack);
  try {
    await provision(stack.endpoints);
    const child = spawn(command, args, {
      stdio: 'inherit',
      env: { ...process.env, KAFKA_BROKERS: stack.endpoints.kafkaBrokers, MONGO_URL: stack.endpoints.mongoUrl },
    });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    return await new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => {
        resolve(code ?? (signal === null ? 1 : 128));
      });
      child.once('error', (err) => {
        console.error(err.message);
        resolve(127);
      });
    });
  } finally {
    await stopServers(started);
  }
};

process.exitCode = await main();
