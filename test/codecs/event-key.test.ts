import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventKeyOf, type PaymentOrderId, type PspResultUpdateEvent } from '../../src/codecs/index.js';

/** The key as first defined: one hash update per length-prefixed field. Stored history holds keys made so. */
const firstDefinition = (e: PspResultUpdateEvent): string => {
  const hash = createHash('sha256');
  for (const p of [e.paymentOrderId, e.pspStatus, e.pspReference ?? '', e.eventTime.toISOString()]) {
    hash.update(`${p.length}:${p}|`);
  }
  return hash.digest('base64url').slice(0, 32);
};

describe('eventKeyOf', () => {
  it('gives every result the key it was given when the history was written', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, unit: 'grapheme' }),
        fc.constantFrom('SUCCESSFUL', 'TIMEOUT', 'PENDING' as const),
        fc.option(fc.string({ unit: 'grapheme' }), { nil: undefined }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (id, pspStatus, pspReference, ms) => {
          const event: PspResultUpdateEvent = {
            paymentOrderId: id as PaymentOrderId,
            pspStatus,
            eventTime: new Date(ms),
            ...(pspReference === undefined ? {} : { pspReference }),
          };
          expect(eventKeyOf(event)).toBe(firstDefinition(event));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('keeps a key already stored in payment orders', () => {
    const event: PspResultUpdateEvent = {
      paymentOrderId: 'po-1' as PaymentOrderId,
      pspStatus: 'SUCCESSFUL',
      pspReference: 'pi_123',
      eventTime: new Date('2026-11-25T10:00:00.000Z'),
    };
    // Computed once by the first definition: a change of encoding would strand every stored key.
    expect(eventKeyOf(event)).toBe('G69Z9AdnKoUQJi42whc59LpS10jB4sej');
  });
});
