// Typed arrays, ArrayBuffers and DataViews in cached values are each caller's own: writing into
// one never changes what another caller, or the stored entry, holds. Flight decodes them as views
// over the bytes it reads, so a value decoded straight from the stored bytes (one holding a
// promise, an error or a server reference, which are not copied from a template) must be decoded
// from a copy.
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { cacheFunction, configureCache, resetCache } from '../../src/runtime/index.js';
import { createMemoryHandler } from '../../src/runtime/handlers/memory.js';
import { privateChunks } from '../../src/runtime/flight-rows.js';
import { createServerTemporaryReferences, decodeValue, renderValue } from '../../src/runtime/value.js';
import { counted, createElement, uid } from './helpers.js';

beforeEach(() => resetCache());

interface Binary {
  bytes: Uint8Array;
  floats: Float64Array;
  buffer: ArrayBuffer;
  view: DataView;
}

function binary(): Binary {
  const buffer = new ArrayBuffer(8);
  new Uint8Array(buffer).set([1, 2, 3, 4, 5, 6, 7, 8]);
  return {
    bytes: new Uint8Array([10, 20, 30, 40]),
    floats: new Float64Array([1.5, 2.5]),
    buffer,
    view: new DataView(new Uint8Array([7, 7, 7, 7]).buffer),
  };
}

function scribble(value: Binary): void {
  value.bytes[0] = 99;
  value.floats[0] = -1;
  new Uint8Array(value.buffer)[0] = 99;
  value.view.setUint8(0, 99);
}

function expectPristine(value: Binary): void {
  expect([...value.bytes]).toEqual([10, 20, 30, 40]);
  expect([...value.floats]).toEqual([1.5, 2.5]);
  expect([...new Uint8Array(value.buffer)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(value.view.getUint8(0)).toBe(7);
  expect(value.view.byteLength).toBe(4);
  // Each in a buffer of its own, as the uncached value's are.
  expect(value.bytes.buffer.byteLength).toBe(4);
  expect(value.floats.buffer.byteLength).toBe(16);
  expect(value.view.buffer.byteLength).toBe(4);
}

const neighbours: Array<[label: string, extra: () => unknown]> = [
  ['nothing else (copied from a template)', () => null],
  ['a promise', () => Promise.resolve('later')],
  ['an error', () => new Error('kept as data')],
  ['a server reference', () => cacheFunction(uid('action'), 'default', async () => 1)],
];

describe('binary values are copies per caller', () => {
  for (const [label, extra] of neighbours) {
    it(`next to ${label}: a caller writing into them changes nothing for the next one`, async () => {
      const memory = createMemoryHandler();
      configureCache({ handlers: { default: memory } });
      const f = counted(async () => ({ ...binary(), extra: extra() }));
      const first = (await f()) as Binary;
      expectPristine(first);
      scribble(first);
      for (let i = 0; i < 3; i++) {
        const next = (await f()) as Binary;
        expectPristine(next);
        scribble(next);
      }
      expect(f.state.runs).toBe(1);
    });
  }

  it('empty ones, and large ones, are their own too', async () => {
    const f = counted(async () => ({
      empty: new Uint8Array(0),
      emptyView: new DataView(new ArrayBuffer(0)),
      large: new Uint16Array(300_000).fill(7),
      text: 'x'.repeat(2000),
      later: Promise.resolve(1),
    }));
    for (let i = 0; i < 3; i++) {
      const value = (await f()) as { empty: Uint8Array; emptyView: DataView; large: Uint16Array; text: string };
      expect(value.empty.byteLength).toBe(0);
      expect(value.emptyView.byteLength).toBe(0);
      expect(value.large.buffer.byteLength).toBe(600_000);
      expect(value.large[299_999]).toBe(7);
      expect(value.text).toBe('x'.repeat(2000));
      value.large[299_999] = 1;
      // An empty one views a private copy of the payload (Flight reads it from the next chunk):
      // writing through its buffer changes nothing for the next caller either.
      new Uint8Array(value.empty.buffer).fill(0);
      new Uint8Array(value.emptyView.buffer).fill(0);
    }
    expect(f.state.runs).toBe(1);
  });

  it('callers waiting for one fill each get their own', async () => {
    const f = counted(async () => ({ ...binary(), later: Promise.resolve(1) }));
    const all = (await Promise.all([f(), f(), f()])) as Binary[];
    scribble(all[0]!);
    expectPristine(all[1]!);
    expectPristine(all[2]!);
    expect(f.state.runs).toBe(1);
  });

  it('in a component result decoded on every hit (children of the caller, development build)', async () => {
    const Card = counted(async ({ children }: { children: unknown }) =>
      createElement('section', { 'data-bytes': new Uint8Array([5, 6]) } as never, children as never),
    );
    type Element = { props: { 'data-bytes': Uint8Array } };
    const a = (await Card({ children: createElement('i', null, 'a') })) as Element;
    a.props['data-bytes'][0] = 99;
    const b = (await Card({ children: createElement('i', null, 'b') })) as Element;
    expect([...b.props['data-bytes']]).toEqual([5, 6]);
    expect(Card.state.runs).toBe(1);
  });
});

describe('privateChunks', () => {
  const typed = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.int16Array({ maxLength: 20 }),
    fc.float64Array({ maxLength: 10, noDefaultInfinity: true, noNaN: true }),
    fc.bigInt64Array({ maxLength: 5 }),
    fc.uint8Array({ maxLength: 16 }).map((a) => new DataView(a.buffer)),
    fc.uint8Array({ maxLength: 16 }).map((a) => a.buffer),
  );
  const text = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: 1100, maxLength: 1300 }));
  const value = fc.array(
    fc.oneof(typed, text, fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(typed, text), { noNullPrototype: true })),
    {
      maxLength: 6,
    },
  );

  it('cuts a payload into chunks that join back to it and decode to the same value', async () => {
    await fc.assert(
      fc.asyncProperty(value, async (items) => {
        const bytes = await renderValue(items, createServerTemporaryReferences(), 'property');
        const chunks = privateChunks(bytes);
        expect(Buffer.concat(chunks).equals(Buffer.from(bytes))).toBe(true);
        expect(await decodeValue(bytes, undefined, true)).toEqual(await decodeValue(bytes, undefined));
      }),
      { numRuns: 60 },
    );
  });
});
