import { ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Span, type SpanContext } from '@opentelemetry/api';

const tracer = () => trace.getTracer('psp-stream');

const traceparentPattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export const parseTraceparent = (value: string | undefined): SpanContext | undefined => {
  const m = value === undefined ? null : traceparentPattern.exec(value.trim());
  if (m === null) return undefined;
  const [, traceId = '', spanId = '', flags = '00'] = m;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16), isRemote: true };
};

export const formatTraceparent = (ctx: SpanContext): string | undefined =>
  trace.isSpanContextValid(ctx)
    ? `00-${ctx.traceId}-${ctx.spanId}-0${(ctx.traceFlags & TraceFlags.SAMPLED).toString(16)}`
    : undefined;

/** Starts a span as a child of a W3C `traceparent` (or as a new trace when there is none). */
export const startSpanFrom = (
  name: string,
  traceparent: string | undefined,
  opts: {
    readonly kind?: SpanKind;
    readonly startTime?: number;
    readonly attributes?: Record<string, string | number>;
  },
): Span => {
  const parent = parseTraceparent(traceparent);
  const ctx = parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent);
  return tracer().startSpan(
    name,
    {
      kind: opts.kind ?? SpanKind.INTERNAL,
      ...(opts.startTime === undefined ? {} : { startTime: opts.startTime }),
      ...(opts.attributes === undefined ? {} : { attributes: opts.attributes }),
    },
    ctx,
  );
};

/**
 * One span for a batch of records, each record's own trace linked (OpenTelemetry's messaging convention for
 * batch processing): a span per record would cost more than the record's processing.
 */
export const startBatchSpan = (
  name: string,
  traceparents: () => readonly (string | undefined)[],
  attributes: Record<string, string | number>,
): Span => {
  const span = tracer().startSpan(name, { kind: SpanKind.CONSUMER, attributes }, ROOT_CONTEXT);
  // Without tracing the span records nothing: the records' headers are not even read.
  if (!span.isRecording()) return span;
  for (const tp of traceparents()) {
    const context = parseTraceparent(tp);
    if (context !== undefined) span.addLink({ context });
  }
  return span;
};

export { SpanKind };
export type { Span };
