import { headerValue } from '../codecs/index.js';
import type { ConsumedMessage } from './consumed-message.js';

/** `traceparent` = version-traceid-spanid-flags; the trace id is what logs and the audit trail carry. */
export const traceIdOf = (traceparent: string | undefined): string | undefined => {
  // = traceparent?.split('-')[1], without the array and the other three parts (this runs for every record)
  if (traceparent === undefined) return undefined;
  const start = traceparent.indexOf('-') + 1;
  if (start === 0) return undefined;
  const end = traceparent.indexOf('-', start);
  return end < 0 ? traceparent.slice(start) : traceparent.slice(start, end);
};

/** The trace id of a consumed record's own `traceparent` header, when it has one. */
export const messageTraceId = (message: ConsumedMessage): string | undefined =>
  traceIdOf(headerValue(message.headers, 'traceparent'));
