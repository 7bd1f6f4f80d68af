#!/usr/bin/env node
import { auditHelp, runAuditCommand } from './audit-command.js';
import { demoHelp, runDemoCommand } from './demo-command.js';
import { dlqRedriveHelp, runDlqRedriveCommand } from './dlq-redrive-command.js';
import { runStackCommand, stackHelp } from './stack-command.js';
import { executorHelp, runExecutorCommand } from './executor-command.js';
import { ordersHelp, runOrdersCommand } from './orders-command.js';
import { runWorkerCommand, workerHelp } from './worker-command.js';
import { describeKafkaSecurityFailure, exitCodeOf, kafkaSecurityFailureOf } from '../kafka/security-failure.js';

const help = `usage: psp-stream <command> [options]

commands:
  demo                   the whole flow on the local stack, with live progress and a checked summary
  worker                 the PspResultUpdateConsumer: applies PSP results to payment orders
  orders create          create payment orders (NDJSON or generated) through PaymentService's intake
  executor               the PaymentOrderExecutor with simulated PSPs, publishing through the outbox
  audit <paymentOrderId>  an order's audit trail: every transition with time, key, offset, trace id
  stack up|down|status   the local Kafka broker and MongoDB stand-in (no Docker needed)
  dlq redrive            publishes dead letters again to the result topic, each at most once across runs

Run "psp-stream <command> --help" for a command's options.

exit codes: 0 done, 1 failed, 2 invalid arguments or configuration (one line per variable),
  3 cannot authenticate to Kafka (SASL credentials or TLS certificates), 4 not authorized by Kafka (ACLs).`;

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
    case 'demo':
      if (wantsHelp) {
        console.log(demoHelp);
        return 0;
      }
      return runDemoCommand(rest);
    case 'audit':
      if (wantsHelp) {
        console.log(auditHelp);
        return 0;
      }
      return runAuditCommand(rest);
    case 'orders':
      if (wantsHelp) {
        console.log(ordersHelp);
        return 0;
      }
      return runOrdersCommand(rest);
    case 'executor':
      if (wantsHelp) {
        console.log(executorHelp);
        return 0;
      }
      return runExecutorCommand(rest);
    case 'dlq': {
      const [action, ...options] = rest;
      if (wantsHelp) {
        console.log(dlqRedriveHelp);
        return 0;
      }
      if (action !== 'redrive') {
        console.error(`unknown dlq action "${action ?? ''}"\n\n${dlqRedriveHelp}`);
        return 2;
      }
      return runDlqRedriveCommand(options);
    }
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

/**
 * Kafka refusing our credentials or certificates ends any command the same way: one line on stderr and its
 * own exit code, so a supervisor sees a configuration problem rather than a crash to restart into. Anything
 * else propagates as before (stack trace, exit 1).
 */
const exitAfterKafkaRefusal = (error: unknown): number => {
  const failure = kafkaSecurityFailureOf(error);
  if (failure === undefined) throw error;
  console.error(`psp-stream: ${describeKafkaSecurityFailure(failure)}`);
  return exitCodeOf(failure);
};

// Exit explicitly: client libraries may keep timers alive after a command is done.
process.exit(await main(process.argv.slice(2)).catch(exitAfterKafkaRefusal));
