import { context, ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Span, type SpanContext } from '@opentelemetry/api';

/**
 * A relay publishes records recorded earlier by other traces; the kafkajs instrumentation would replace
 * each record's `traceparent` with its own send span. The record's own trace travels in this header too,
 * and the tracing entry's producer hook puts it back.
 */
export const originTraceparentHeader = 'psp-origin-traceparent';

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

/** Runs `fn` with `span` active, so instrumented calls inside (MongoDB, Kafka) join its trace. */
export const withSpan = <A>(span: Span, fn: () => A): A => context.with(trace.setSpan(context.active(), span), fn);

export { SpanKind };
