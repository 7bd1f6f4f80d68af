import * as E from 'fp-ts/lib/Either.js';
import type { ExecutorServiceDeps } from '../publisher/executor-service.js';
import type { OutboxStore } from '../outbox/outbox-store.js';
import type { ExecutorMetrics } from '../telemetry/executor-metrics.js';
import type { Logger } from '../telemetry/logger.js';
import { formatTraceparent, parseTraceparent, SpanKind, startSpanFrom } from '../telemetry/trace-context.js';

/** The executor's traces, metrics and log lines, for `startExecutorService`. */
export const executorTelemetry = (logger: Logger, metrics: ExecutorMetrics): ExecutorServiceDeps['telemetry'] => ({
  traceExecution: ({ command, traceparent }) => {
    const span = startSpanFrom(
      `psp.${command.type === 'PaymentOrderStatusCheckRequested' ? 'status' : 'charge'} ${command.psp}`,
      traceparent,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'psp.name': command.psp, 'payment_order.id': command.paymentOrderId },
      },
    );
    return {
      traceparent: formatTraceparent(span.spanContext()),
      end: (answer) => {
        if (answer !== undefined) span.setAttribute('psp.status', answer.pspStatus);
        span.end();
      },
    };
  },
  recorded: (e) => {
    metrics.published.inc({ psp: e.command.psp, status: e.event.pspStatus });
    const trace = parseTraceparent(e.traceparent);
    logger.info(
      {
        traceId: trace?.traceId,
        spanId: trace?.spanId,
        paymentOrderId: e.event.paymentOrderId,
        pspReference: e.event.pspReference,
        pspStatus: e.event.pspStatus,
        psp: e.command.psp,
        topic: e.entry.topic,
        outcome: 'recorded',
      },
      'psp result recorded in outbox',
    );
  },
  retry: (error, attempt) => {
    logger.warn({ attempt, error }, 'executor: transient failure, retrying');
  },
  charged: (psp) => {
    metrics.charges.inc({ psp });
  },
  relayFailed: (error) => {
    logger.error({ err: error }, 'outbox relay stopped with an error; pending entries stay for the next relay');
  },
});

/** The outbox's pending entries as a gauge (unknown while the outbox does not answer). */
export const countOutboxPending = (metrics: ExecutorMetrics, outbox: OutboxStore): void => {
  metrics.countOutboxPendingWith(async () => {
    const pending = await outbox.countPending()();
    return E.isRight(pending) ? pending.right : undefined;
  });
};
