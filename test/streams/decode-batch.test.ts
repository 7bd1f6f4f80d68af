import { Buffer } from 'node:buffer';
import * as E from 'fp-ts/lib/Either.js';
import { map, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { decodePspResultUpdate } from '../../src/codecs/index.js';
import { applyBatch } from '../../src/streams/apply-batch.js';
import type { ConsumedMessage } from '../../src/streams/consumed-message.js';
import { decodeBatch } from '../../src/streams/decode-batch.js';
import { depsOf, fakeDeadLetterTopic, fakeStore, newScheduler, outcomesFor } from '../support/lane-batch.js';
import { consumed, eventFor, label, rawRecord } from '../support/lane-records.js';

describe('decodeBatch', () => {
  it('turns every record that decodes into its event, in batch order, with no letters', () => {
    const batch = [consumed(10, 'po-1'), consumed(11, 'po-2')];
    expect(decodeBatch(batch, decodePspResultUpdate)).toEqual({
      decoded: [
        { message: batch[0], event: eventFor('po-1') },
        { message: batch[1], event: eventFor('po-2') },
      ],
      invalid: [],
    });
  });

  it('decodes nothing of an empty batch', () => {
    expect(decodeBatch([], decodePspResultUpdate)).toEqual({ decoded: [], invalid: [] });
  });

  it('makes a letter with its stable reason of each record that does not decode, keeping the others', () => {
    const noKey: ConsumedMessage = { ...consumed(21, 'po-9'), key: null };
    const { decoded, invalid } = decodeBatch(
      [rawRecord(20, 'po-1', 'not json'), consumed(22, 'po-2'), noKey],
      decodePspResultUpdate,
    );
    expect(decoded.map((d) => d.message.offset)).toEqual(['22']);
    expect(invalid.map((l) => [l.message.offset, l.reason])).toEqual([
      ['20', 'invalid-json'],
      ['21', 'missing-key'],
    ]);
    expect(invalid.every((l) => l.description.length > 0)).toBe(true);
  });

  it('asks the injected decoder once per record, in order', () => {
    const seen: string[] = [];
    decodeBatch([consumed(1, 'po-1'), rawRecord(2, 'k', ''), consumed(3, 'po-3')], (m) => {
      seen.push(m.offset);
      return decodePspResultUpdate(m);
    });
    expect(seen).toEqual(['1', '2', '3']);
  });
});

describe('applyBatch: the decode stage', () => {
  it('dead-letters what does not decode, with its reason, and sends only the valid ones to the store', () => {
    const scheduler = newScheduler();
    const invalidJson = rawRecord(10, 'po-1', '{"paymentOrderId": "po-1",');
    const valid = consumed(11, 'po-2');
    const schemaViolation = rawRecord(
      12,
      'po-3',
      '{"paymentOrderId":"po-3","pspStatus":"MAYBE","eventTime":"2026-11-25T10:00:00Z"}',
    );
    const { process, calls } = fakeStore(scheduler, (results) =>
      scheduler.createColdObservable('--(r|)', { r: E.right(outcomesFor()(results)) }),
    );
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    scheduler.run(({ expectObservable }) => {
      expectObservable(
        applyBatch([invalidJson, valid, schemaViolation], depsOf(scheduler, process, deadLetter)).pipe(map(label)),
      ).toBe('--(abc|)', { a: 'applied:11', b: 'dlq:10:invalid-json', c: 'dlq:12:schema-violation' });
    });
    expect(calls).toEqual([{ at: 0, offsets: ['11'] }]);
    expect(published).toHaveLength(1);
    expect(published[0]?.at).toBe(2);
    const letters = published[0]?.letters ?? [];
    expect(letters.map((l) => [l.message, l.reason])).toEqual([
      [invalidJson, 'invalid-json'],
      [schemaViolation, 'schema-violation'],
    ]);
    expect(letters[1]?.description).toMatch(/pspStatus/);
  });

  it('dead-letters a batch that is all undecodable without calling the store', () => {
    const scheduler = newScheduler();
    const { process, calls } = fakeStore(scheduler, () => of(E.right([])));
    const { deadLetter, published } = fakeDeadLetterTopic(scheduler);
    const keyMismatch = consumed(21, 'po-9');
    scheduler.run(({ expectObservable }) => {
      const batch = [rawRecord(20, 'po-1', 'not json'), { ...keyMismatch, key: Buffer.from('po-other') }];
      expectObservable(applyBatch(batch, depsOf(scheduler, process, deadLetter)).pipe(map(label))).toBe('(ab|)', {
        a: 'dlq:20:invalid-json',
        b: 'dlq:21:key-mismatch',
      });
    });
    expect(calls).toEqual([]);
    expect(published).toHaveLength(1);
  });
});
