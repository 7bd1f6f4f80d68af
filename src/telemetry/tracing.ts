/**
 * OpenTelemetry, started before anything else: `node --import tsx --import ./src/telemetry/tracing.ts …`
 * (built: `node --import ./dist/telemetry/tracing.js …`). Exporters come from the standard OTEL_*
 * variables; with none configured, spans are still made (so logs and the audit trail carry trace ids)
 * but exported nowhere.
 */
import { register } from 'node:module';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { originTraceparentHeader } from './trace-context.js';

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
    new KafkaJsInstrumentation({
      producerHook: (_span, { message }) => {
        const { [originTraceparentHeader]: origin, ...headers } = message.headers ?? {};
        if (origin !== undefined) {
          message.headers = { ...headers, traceparent: Array.isArray(origin) ? origin[0] : origin };
        }
      },
    }),
    new MongoDBInstrumentation(),
    new PinoInstrumentation(),
  ],
});
sdk.start();

const shutdown = (): void => {
  void sdk.shutdown();
};
process.once('beforeExit', shutdown);
