import * as E from 'fp-ts/lib/Either.js';
import { defer, finalize, from, mergeMap, type Observable, of, throwError } from 'rxjs';
import { encodePspResultUpdate, eventKeyOf, type PaymentOrderId, type PspResultUpdateEvent } from '../codecs/index.js';
import { retryTransient, type RetryDeps } from '../operators/retry-transient.js';
import type { OutboxEntry } from '../outbox/outbox-entry.js';
import type { OutboxStore } from '../outbox/outbox-store.js';
import type { PspAnswer, PspClient, PspName } from './psp-client.js';

/** Execute one payment order (one attempt) at a PSP. */
export interface ExecutePaymentOrder {
  readonly kind?: 'charge';
  readonly paymentOrderId: PaymentOrderId;
  readonly amount: number;
  readonly currency: string;
  readonly psp: PspName;
  readonly attempt: number;
  readonly traceparent?: string | undefined;
}

/** Ask the PSP how a payment it left pending ended. */
export interface CheckPaymentStatus {
  readonly kind: 'status-check';
  readonly paymentOrderId: PaymentOrderId;
  readonly psp: PspName;
  readonly pspReference: string;
  readonly check: number;
  readonly traceparent?: string | undefined;
}

export type ExecutorTask = ExecutePaymentOrder | CheckPaymentStatus;

export interface Executed {
  readonly command: ExecutorTask;
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
  readonly traceExecution: (command: ExecutorTask) => {
    readonly traceparent: string | undefined;
    readonly end: (answer: PspAnswer | undefined) => void;
  };
}

/** The PSP's idempotency key (Stripe's `Idempotency-Key`, Adyen's `idempotency-key`): one per attempt. */
export const idempotencyKeyOf = (c: Pick<ExecutePaymentOrder, 'paymentOrderId' | 'attempt'>): string =>
  `${c.paymentOrderId}:${c.attempt}`;

/** One PSP answer is one fact: a task run twice (a crash, a redelivery) records its result once. */
export const resultDedupKeyOf = (task: ExecutorTask): string =>
  task.kind === 'status-check'
    ? `psp-result:status-check:${task.paymentOrderId}:${task.check}`
    : `psp-result:${idempotencyKeyOf(task)}`;

/** Whatever goes wrong at the PSP, the executor turns it into a result: a timeout never hangs it. */
const callPsp = async (client: PspClient, task: ExecutorTask, timeoutMs: number): Promise<PspAnswer> => {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return task.kind === 'status-check'
      ? await client.getStatus(task.pspReference, signal)
      : await client.charge(
          {
            paymentOrderId: task.paymentOrderId,
            amount: task.amount,
            currency: task.currency,
            idempotencyKey: idempotencyKeyOf(task),
          },
          signal,
        );
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
  task: ExecutorTask,
  topic: string,
  now: Date,
): OutboxEntry => {
  const record = encodePspResultUpdate(event, task.traceparent ? { traceparent: task.traceparent } : {});
  return {
    _id: eventKeyOf(event),
    dedupKey: resultDedupKeyOf(task),
    topic,
    key: record.key,
    value: record.value,
    headers: record.headers,
    status: 'pending',
    createdAt: now,
  };
};

/**
 * PaymentOrderExecutor: calls the PSP for each task and records the result in the outbox, from which
 * the relay publishes it. It holds no business rule about payment state: it reports what the PSP said.
 */
export const executePaymentOrders =
  (deps: ExecutorDeps) =>
  (tasks$: Observable<ExecutorTask>): Observable<Executed> =>
    tasks$.pipe(
      mergeMap((untraced) => {
        const trace = deps.traceExecution(untraced);
        const task = trace.traceparent === undefined ? untraced : { ...untraced, traceparent: trace.traceparent };
        let answered: PspAnswer | undefined;
        return defer(() => from(callPsp(deps.pspFor(task.psp), task, deps.pspTimeoutMs))).pipe(
          mergeMap((answer) => {
            answered = answer;
            const event: PspResultUpdateEvent = {
              paymentOrderId: task.paymentOrderId,
              pspStatus: answer.pspStatus,
              eventTime: deps.now(),
              ...(answer.pspReference === undefined ? {} : { pspReference: answer.pspReference }),
              ...(answer.errorCode === undefined ? {} : { errorCode: answer.errorCode }),
              ...(answer.errorMessage === undefined ? {} : { errorMessage: answer.errorMessage.slice(0, 1024) }),
            };
            const entry = outboxEntryOf(event, task, deps.resultTopic, deps.now());
            return retryTransient(() => defer(deps.outbox.record([entry])), deps.retry).pipe(
              mergeMap((r) =>
                E.isRight(r)
                  ? of({ command: task, event, entry })
                  : throwError(() => new Error(`outbox refused a result: ${r.left.message}`, { cause: r.left })),
              ),
            );
          }),
          finalize(() => {
            trace.end(answered);
          }),
        );
      }, deps.concurrency),
    );
