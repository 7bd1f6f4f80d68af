import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { traceIdOf } from '../../src/streams/trace-id.js';

describe('traceIdOf', () => {
  it("is the traceparent's second dash-separated part, for any string", () => {
    const traceparents = fc.oneof(
      fc.string(),
      fc
        .array(fc.constantFrom('00', '-', 'abc', '', '4bf92f3577b34da6a3ce929d0e0e4736', '01'), { maxLength: 6 })
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(traceparents, (s) => {
        expect(traceIdOf(s)).toBe(s.split('-')[1]);
      }),
    );
    expect(traceIdOf(undefined)).toBeUndefined();
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });
});
