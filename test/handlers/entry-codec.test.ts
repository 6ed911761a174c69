// The binary entry format shared by the Redis and filesystem handlers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry } from '../../src/runtime/handlers/entry-codec.js';
import type { CacheEntry } from '../../src/runtime/handlers/types.js';

const arbitraryEntry: fc.Arbitrary<CacheEntry> = fc.record({
  value: fc.uint8Array({ maxLength: 2048 }),
  tags: fc.array(fc.string({ maxLength: 256, unit: 'grapheme' }), { maxLength: 20 }),
  timestamp: fc.double({ noNaN: true }),
  stale: fc.double({ noNaN: true, min: 0 }),
  revalidate: fc.double({ noNaN: true, min: 0 }),
  expire: fc.oneof(fc.double({ noNaN: true, min: 0 }), fc.constant(Infinity), fc.constant(0xfffffffe)),
});

describe('entry codec', () => {
  it('round-trips any entry exactly', () => {
    fc.assert(
      fc.property(arbitraryEntry, (entry) => {
        expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
      }),
    );
  });

  it('decodes from a view into a larger buffer (as sockets and files hand them out)', () => {
    const encoded = encodeEntry({
      value: Uint8Array.of(1, 2, 3),
      tags: ['t'],
      timestamp: 1,
      stale: 2,
      revalidate: 3,
      expire: 4,
    });
    const padded = new Uint8Array(encoded.length + 20);
    padded.set(encoded, 7);
    expect(decodeEntry(padded.subarray(7, 7 + encoded.length))?.value).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('reads every truncation or extension of an encoded entry as "no entry"', () => {
    fc.assert(
      fc.property(arbitraryEntry, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), (entry, cut, extra) => {
        const bytes = encodeEntry(entry);
        expect(decodeEntry(bytes.subarray(0, cut % bytes.length))).toBeUndefined();
        expect(decodeEntry(Buffer.concat([bytes, extra]))).toBeUndefined();
      }),
    );
  });

  it('reads any flipped bit as "no entry" (checksum)', () => {
    fc.assert(
      fc.property(arbitraryEntry, fc.nat(), fc.integer({ min: 0, max: 7 }), (entry, at, bit) => {
        const bytes = Buffer.from(encodeEntry(entry));
        bytes[at % bytes.length]! ^= 1 << bit;
        expect(decodeEntry(bytes)).toBeUndefined();
      }),
    );
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(decodeEntry(bytes)).toBeUndefined();
      }),
    );
  });
});
