import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { decodePspResultUpdate, encodePspResultUpdate } from '../../src/codecs/index.js';
import { comparable, validEvent } from './event-arbitraries.js';

const asBuffers = (headers: Record<string, string>): Record<string, Buffer> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Buffer.from(value)]));

describe('a PSP result update survives the wire', () => {
  it('decodes to the event that was encoded', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const decoded = decodePspResultUpdate(encodePspResultUpdate(event));
        expect(E.map(comparable)(decoded)).toEqual(E.right(comparable(event)));
      }),
    );
  });

  it('decodes the same event when key, value and headers arrive as bytes, as from Kafka', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const record = encodePspResultUpdate(event, {
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        });
        const decoded = decodePspResultUpdate({
          key: Buffer.from(record.key),
          value: Buffer.from(record.value),
          headers: asBuffers(record.headers),
        });
        expect(E.map(comparable)(decoded)).toEqual(E.right(comparable(event)));
      }),
    );
  });

  it('encodes a decoded event to the same bytes again', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const record = encodePspResultUpdate(event);
        const again = E.map(encodePspResultUpdate)(decodePspResultUpdate(record));
        expect(again).toEqual(E.right(record));
      }),
    );
  });
});
