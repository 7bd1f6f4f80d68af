#!/usr/bin/env node
import { runStackCommand, stackHelp } from './stack-command.js';
import { executorHelp, runExecutorCommand } from './executor-command.js';
import { runWorkerCommand, workerHelp } from './worker-command.js';

const help = `usage: psp-stream <command> [options]

commands:
  worker                 the PspResultUpdateConsumer: applies PSP results to payment orders
  executor               the PaymentOrderExecutor with simulated PSPs, publishing through the outbox
  stack up|down|status   the local Kafka broker and MongoDB stand-in (no Docker needed)

Run "psp-stream <command> --help" for a command's options.`;

const main = async (argv: readonly string[]): Promise<number> => {
  const [command, ...rest] = argv;
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  switch (command) {
    case 'worker':
      if (wantsHelp) {
        console.log(workerHelp);
        return 0;
      }
      return runWorkerCommand();
    case 'executor':
      if (wantsHelp) {
        console.log(executorHelp);
        return 0;
      }
      return runExecutorCommand(rest);
    case 'stack':
      if (wantsHelp) {
        console.log(stackHelp);
        return 0;
      }
      return runStackCommand(rest[0]);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      console.log(help);
      return command === undefined ? 2 : 0;
    default:
      console.error(`unknown command "${command}"\n\n${help}`);
      return 2;
  }
};

// Exit explicitly: client libraries may keep timers alive after a command is done.
process.exit(await main(process.argv.slice(2)));
