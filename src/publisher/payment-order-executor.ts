import { finalize, map, mergeMap, type Observable } from 'rxjs';
import {
  encodePspResultUpdate,
  eventKeyOf,
  type PaymentOrderCommand,
  type PaymentOrderId,
  type PspResultUpdateEvent,
} from '../codecs/index.js';
import { fromTask, rightOrThrow } from '../operators/effects.js';
import { retryTransient, type RetryDeps } from '../operators/retry-transient.js';
import type { OutboxEntry } from '../outbox/outbox-entry.js';
import type { OutboxStore } from '../outbox/outbox-store.js';
import type { PspAnswer, PspClient, PspName } from './psp-client.js';
import type { TracedCommand } from './traced-command.js';

/** A command carried out: its result is durably in the outbox, traced by the execution's own span. */
export interface Executed {
  readonly command: PaymentOrderCommand;
  readonly traceparent: string | undefined;
  readonly event: PspResultUpdateEvent;
  readonly entry: OutboxEntry;
}

export interface ExecutorDeps {
  readonly pspFor: (name: PspName) => PspClient;
  readonly outbox: OutboxStore;
  readonly resultTopic: string;
  readonly pspTimeoutMs: number;
  readonly concurrency: number;
  readonly now: () => Date;
  readonly retry: RetryDeps;
  /** Opens the trace of one execution: its `traceparent` travels with the result, `end` closes it. */
  readonly traceExecution: (traced: TracedCommand) => {
    readonly traceparent: string | undefined;
    readonly end: (answer: PspAnswer | undefined) => void;
  };
}

/** The PSP's idempotency key (Stripe's `Idempotency-Key`, Adyen's `idempotency-key`): one per attempt. */
export const idempotencyKeyOf = (c: { readonly paymentOrderId: PaymentOrderId; readonly attempt: number }): string =>
  `${c.paymentOrderId}:${c.attempt}`;

/** One PSP answer is one fact: a command run twice (a crash, a redelivery) records its result once. */
export const resultDedupKeyOf = (command: PaymentOrderCommand): string => {
  switch (command.type) {
    case 'PaymentOrderCreated':
    case 'PaymentOrderRetryRequested':
      return `psp-result:${idempotencyKeyOf(command)}`;
    case 'PaymentOrderStatusCheckRequested':
      return `psp-result:status-check:${command.paymentOrderId}:${command.check}`;
  }
};

/** The PSP call a command asks for: a charge (one attempt), or how a payment it left pending ended. */
const askPsp = (client: PspClient, command: PaymentOrderCommand, signal: AbortSignal): Promise<PspAnswer> => {
  switch (command.type) {
    case 'PaymentOrderCreated':
    case 'PaymentOrderRetryRequested':
      return client.charge(
        {
          paymentOrderId: command.paymentOrderId,
          amount: command.amount,
          currency: command.currency,
          idempotencyKey: idempotencyKeyOf(command),
        },
        signal,
      );
    case 'PaymentOrderStatusCheckRequested':
      return client.getStatus(command.pspReference, signal);
  }
};

/** Whatever goes wrong at the PSP, the executor turns it into a result: a timeout never hangs it. */
const callPsp = async (client: PspClient, command: PaymentOrderCommand, timeoutMs: number): Promise<PspAnswer> => {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return await askPsp(client, command, signal);
  } catch (error) {
    if (signal.aborted) {
      return { pspStatus: 'TIMEOUT', errorCode: 'psp_timeout', errorMessage: `no answer within ${timeoutMs} ms` };
    }
    return {
      pspStatus: 'PSP_UNAVAILABLE',
      errorCode: 'psp_call_failed',
      errorMessage: (error instanceof Error ? error.message : String(error)).slice(0, 200),
    };
  }
};

export const outboxEntryOf = (
  event: PspResultUpdateEvent,
  { command, traceparent }: TracedCommand,
  topic: string,
  now: Date,
): OutboxEntry => {
  const record = encodePspResultUpdate(event, traceparent ? { traceparent } : {});
  return {
    _id: eventKeyOf(event),
    dedupKey: resultDedupKeyOf(command),
    topic,
    key: record.key,
    value: record.value,
    headers: record.headers,
    status: 'pending',
    createdAt: now,
  };
};

/**
 * PaymentOrderExecutor: calls the PSP for each command and records the result in the outbox, from which
 * the relay publishes it. It holds no business rule about payment state: it reports what the PSP said.
 */
export const executePaymentOrders =
  (deps: ExecutorDeps) =>
  (commands$: Observable<TracedCommand>): Observable<Executed> =>
    commands$.pipe(
      mergeMap((untraced) => {
        const trace = deps.traceExecution(untraced);
        const traced: TracedCommand =
          trace.traceparent === undefined ? untraced : { ...untraced, traceparent: trace.traceparent };
        const { command, traceparent } = traced;
        let answered: PspAnswer | undefined;
        return fromTask(() => callPsp(deps.pspFor(command.psp), command, deps.pspTimeoutMs)).pipe(
          mergeMap((answer) => {
            answered = answer;
            const event: PspResultUpdateEvent = {
              paymentOrderId: command.paymentOrderId,
              pspStatus: answer.pspStatus,
              eventTime: deps.now(),
              ...(answer.pspReference === undefined ? {} : { pspReference: answer.pspReference }),
              ...(answer.errorCode === undefined ? {} : { errorCode: answer.errorCode }),
              ...(answer.errorMessage === undefined ? {} : { errorMessage: answer.errorMessage.slice(0, 1024) }),
            };
            const entry = outboxEntryOf(event, traced, deps.resultTopic, deps.now());
            return retryTransient(() => fromTask(deps.outbox.record([entry])), deps.retry).pipe(
              rightOrThrow((left) => `outbox refused a result: ${left.message}`),
              map(() => ({ command, traceparent, event, entry })),
            );
          }),
          finalize(() => {
            trace.end(answered);
          }),
        );
      }, deps.concurrency),
    );
