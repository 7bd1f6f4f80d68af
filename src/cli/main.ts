#!/usr/bin/env node
import * as nodeModule from 'node:module';
import { describeKafkaSecurityFailure, exitCodeOf, kafkaSecurityFailureOf } from '../kafka/security-failure.js';

// Start-up time: V8's code cache on disk (Node >= 22.1; NODE_COMPILE_CACHE chooses the directory) spares
// recompiling kafkajs, the MongoDB driver and the rest on every start, and each command's modules are
// loaded only when that command runs.
// A named import would fail to link on a Node older than `engines` before any line could run.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

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
  const withHelp = async (helpText: string, run: () => Promise<number>): Promise<number> => {
    if (!wantsHelp) return run();
    console.log(helpText);
    return 0;
  };
  switch (command) {
    case 'worker': {
      const { runWorkerCommand, workerHelp } = await import('./worker-command.js');
      return withHelp(workerHelp, runWorkerCommand);
    }
    case 'demo': {
      const [{ demoHelp }, { runDemoCommand }] = await Promise.all([
        import('./demo-args.js'),
        import('./demo-command.js'),
      ]);
      return withHelp(demoHelp, () => runDemoCommand(rest));
    }
    case 'audit': {
      const { auditHelp, runAuditCommand } = await import('./audit-command.js');
      return withHelp(auditHelp, () => runAuditCommand(rest));
    }
    case 'orders': {
      const { ordersHelp, runOrdersCommand } = await import('./orders-command.js');
      return withHelp(ordersHelp, () => runOrdersCommand(rest));
    }
    case 'executor': {
      const { executorHelp, runExecutorCommand } = await import('./executor-command.js');
      return withHelp(executorHelp, () => runExecutorCommand(rest));
    }
    case 'dlq': {
      const { dlqRedriveHelp, runDlqRedriveCommand } = await import('./dlq-redrive-command.js');
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
    case 'stack': {
      const { runStackCommand, stackHelp } = await import('./stack-command.js');
      return withHelp(stackHelp, () => runStackCommand(rest[0]));
    }
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
