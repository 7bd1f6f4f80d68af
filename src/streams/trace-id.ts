import { headerValue } from '../codecs/index.js';
import type { ConsumedMessage } from './consumed-message.js';

/** `traceparent` = version-traceid-spanid-flags; the trace id is what logs and the audit trail carry. */
export const traceIdOf = (traceparent: string | undefined): string | undefined => traceparent?.split('-')[1];

/** The trace id of a consumed record's own `traceparent` header, when it has one. */
export const messageTraceId = (message: ConsumedMessage): string | undefined =>
  traceIdOf(headerValue(message.headers, 'traceparent'));
