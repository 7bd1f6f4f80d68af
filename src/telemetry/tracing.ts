/**
 * OpenTelemetry, started before anything else: `node --import tsx --import ./src/telemetry/tracing.ts …`
 * (built: `node --import ./dist/telemetry/tracing.js …`). Exporters come from the standard OTEL_*
 * variables; with none configured, spans are still made (so logs and the audit trail carry trace ids)
 * but exported nowhere. Kafka is traced by our own code, not the kafkajs instrumentation (a span per
 * consumed record cost the worker ~40% of its throughput): the worker makes one span per lane batch,
 * linked to each record's trace, and records are published with the `traceparent` they were recorded with.
 */
import { register } from 'node:module';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { NodeSDK } from '@opentelemetry/sdk-node';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

process.env['OTEL_METRICS_EXPORTER'] ??= 'none';
process.env['OTEL_LOGS_EXPORTER'] ??= 'none';
const exporters = (process.env['OTEL_TRACES_EXPORTER'] ?? 'none').split(',').map((s) => s.trim());
const exporting = exporters.some((e) => e !== 'none' && e !== '');

const idsOnly: SpanProcessor = {
  onStart: () => undefined,
  onEnd: () => undefined,
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

const sdk = new NodeSDK({
  serviceName: process.env['OTEL_SERVICE_NAME'] ?? 'psp-stream',
  ...(exporting ? {} : { spanProcessors: [idsOnly] }),
  instrumentations: [
    new MongoDBInstrumentation(),
    // Our log lines name their trace themselves (a consumed record's own): no second id from the active span.
    new PinoInstrumentation({ disableLogCorrelation: true }),
  ],
});
sdk.start();

const shutdown = (): void => {
  void sdk.shutdown();
};
process.once('beforeExit', shutdown);
