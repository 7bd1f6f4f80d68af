import { describe, expect, it } from 'vitest';
import { failureFields } from '../../src/telemetry/failure-fields.js';

describe('failureFields', () => {
  it('names the code and every cause of an error that crossed boundaries', () => {
    const driver = new Error('Topology is closed');
    const storeError = { _tag: 'StoreError', code: 'store-closed', message: 'Topology is closed', cause: driver };
    const error = new Error('dead-letter publish failed: Topology is closed', { cause: storeError });
    const fields = failureFields(error);
    expect(fields.code).toBe('store-closed');
    expect(fields.causes).toEqual(['Topology is closed', 'Topology is closed']);
    expect(fields.err).toBe(error);
  });

  it('stops on a chain that loops, and copes with what is not an Error', () => {
    const a: { message: string; cause?: unknown } = { message: 'a' };
    a.cause = a;
    expect(failureFields(a).causes).toHaveLength(7);
    expect(failureFields('boom')).toEqual({ code: undefined, err: 'boom', causes: [] });
  });
});
