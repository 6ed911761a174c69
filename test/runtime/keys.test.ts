import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- react-server-dom-webpack publishes no types.
import { createTemporaryReferenceSet, encodeReply } from 'react-server-dom-webpack/client';
import { cacheFunction, configureCache, resetCache } from '../../src/runtime/index.js';
import { keyNamespace } from '../../src/runtime/config.js';
import { callKey, encodePrimitiveArgs, keyPrefix, primitiveCallKey } from '../../src/runtime/key.js';
import { counted, createElement, uid } from './helpers.js';

beforeEach(() => resetCache());

describe('cache keys', () => {
  it('equal arguments hit, different arguments miss', async () => {
    const f = counted((a: string, b: number) => `${a}:${b}`);
    expect(await f('x', 1)).toBe('x:1');
    expect(await f('x', 1)).toBe('x:1');
    expect(f.state.runs).toBe(1);
    expect(await f('x', 2)).toBe('x:2');
    expect(await f('y', 1)).toBe('y:1');
    expect(f.state.runs).toBe(3);
  });

  it('equal object arguments hit; property order and values count', async () => {
    const f = counted((o: { a: number; b: number[] }) => o.a + o.b.length);
    await f({ a: 1, b: [1, 2] });
    await f({ a: 1, b: [1, 2] });
    expect(f.state.runs).toBe(1);
    await f({ a: 1, b: [1, 3] });
    expect(f.state.runs).toBe(2);
  });

  it('captured values (bound first) are part of the key', async () => {
    const f = counted((captured: string, arg: string) => captured + arg);
    const a = f.bind(null, 'A');
    const b = f.bind(null, 'B');
    expect(await a('x')).toBe('Ax');
    expect(await a('x')).toBe('Ax');
    expect(await b('x')).toBe('Bx');
    expect(f.state.runs).toBe(2);
    // Captured values first, then call arguments: the same list is the same key.
    expect(await f('A', 'x')).toBe('Ax');
    expect(f.state.runs).toBe(2);
  });

  it('functions, JSX, class instances and symbols do not change the key', async () => {
    class Thing {
      constructor(public n: number) {}
    }
    const ns = keyNamespace();
    const k = async (extra: unknown) => (await callKey(keyPrefix(ns, 'id'), [1, { extra }])).key;
    const plain = await k('$T-not-really');
    const keys = await Promise.all([
      k(() => 1),
      k(() => 2),
      k(createElement('p', null, 'one')),
      k(createElement('div', null, 'two')),
      k(new Thing(1)),
      k(new Thing(2)),
      k(Symbol('a')),
      k(Symbol('b')),
    ]);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).not.toBe(plain);

    const f = counted((label: string, _render: unknown) => label);
    await f('same', () => 'a');
    await f('same', () => 'b');
    await f('same', createElement('i'));
    expect(f.state.runs).toBe(1);
  });

  it('the namespace holds the build id, the react-server-dom-webpack version and the build mode', async () => {
    expect(keyNamespace()).toContain('react-server-dom-webpack@19.3.1');
    expect(keyNamespace()).toContain(process.env.NODE_ENV === 'production' ? 'production' : 'development');
    const f = counted((a: number) => a);
    await f(1);
    configureCache({ buildId: 'deploy-2' });
    expect(keyNamespace().startsWith('deploy-2\0')).toBe(true);
    await f(1);
    expect(f.state.runs).toBe(2);
    await f(1);
    expect(f.state.runs).toBe(2);
  });

  it('skipping encodeReply for primitives writes exactly what encodeReply writes', async () => {
    const primitive = fc.oneof(
      fc.string(),
      fc.string().map((s) => '$' + s),
      fc.string().map((s) => s + 'Z'),
      fc.double(),
      fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e21, 5e-324, Number.MAX_SAFE_INTEGER),
      fc.integer(),
      fc.bigInt(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.string({ unit: 'binary' }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(primitive, { maxLength: 8 }), async (args) => {
        const fast = encodePrimitiveArgs(args);
        const slow = await encodeReply(args, { temporaryReferences: createTemporaryReferenceSet() });
        expect(fast).toBe(slow);
      }),
      { numRuns: 300 },
    );
  });

  it('the primitive key equals the key of the encodeReply path', async () => {
    const ns = keyNamespace();
    const args = ['$x', -0, 1n, undefined, null, true, NaN];
    const body = await encodeReply(args, { temporaryReferences: createTemporaryReferenceSet() });
    const expected = createHash('sha256')
      .update(ns + 'id' + '\0' + body)
      .digest('hex');
    expect(primitiveCallKey(keyPrefix(ns, 'id'), args)!.key).toBe(expected);
    expect((await callKey(keyPrefix(ns, 'id'), args)).key).toBe(expected);
    expect(primitiveCallKey(keyPrefix(ns, 'id'), [{}])).toBeUndefined();
    expect(primitiveCallKey(keyPrefix(ns, 'id'), [Symbol('s')])).toBeUndefined();
  });

  it('FormData payloads (Maps, Sets, typed arrays, promises) are made canonical before hashing', async () => {
    const ns = keyNamespace();
    const later = <T>(value: T, ms: number) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
    // The same values, resolved in the opposite order: FormData entries come in another order.
    const a = await callKey(keyPrefix(ns, 'id'), [later('first', 20), later('second', 1), new Map([[1, 'one']])]);
    const b = await callKey(keyPrefix(ns, 'id'), [later('first', 1), later('second', 20), new Map([[1, 'one']])]);
    expect(a.body).toBeInstanceOf(FormData);
    expect([...(a.body as FormData).keys()]).not.toEqual([...(b.body as FormData).keys()]);
    expect(a.key).toBe(b.key);
    const c = await callKey(keyPrefix(ns, 'id'), [later('first', 1), later('other', 1), new Map([[1, 'one']])]);
    expect(c.key).not.toBe(a.key);
    const d = await callKey(keyPrefix(ns, 'id'), [new Uint8Array([1, 2, 3]), new Set(['x'])]);
    const e = await callKey(keyPrefix(ns, 'id'), [new Uint8Array([1, 2, 3]), new Set(['x'])]);
    const g = await callKey(keyPrefix(ns, 'id'), [new Uint8Array([1, 2, 4]), new Set(['x'])]);
    expect(d.key).toBe(e.key);
    expect(d.key).not.toBe(g.key);
  });

  it('a Map argument hits; a different Map misses', async () => {
    const f = counted((m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0));
    expect(
      await f(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ),
    ).toBe(3);
    expect(
      await f(
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ),
    ).toBe(3);
    expect(f.state.runs).toBe(1);
    expect(
      await f(
        new Map([
          ['a', 1],
          ['b', 3],
        ]),
      ),
    ).toBe(4);
    expect(f.state.runs).toBe(2);
  });

  it('the body sees decoded arguments: opaque values arrive as references, and come back as the caller passed them', async () => {
    const seen: unknown[] = [];
    const f = cacheFunction(uid(), 'default', async (label: string, onClick: unknown) => {
      seen.push(onClick);
      return { label, onClick };
    });
    const first = () => 'first';
    const second = () => 'second';
    const r1 = (await f('a', first)) as { onClick: unknown };
    const r2 = (await f('a', second)) as { onClick: unknown };
    expect(seen).toHaveLength(1);
    expect(seen[0] === first).toBe(false); // decodeReply ran before the body
    expect(r1.onClick).toBe(first);
    expect(r2.onClick).toBe(second); // the hit uses this call's temporary references
  });

  it('arguments that cannot be serialised give an error naming the function', async () => {
    let runs = 0;
    const f = cacheFunction(uid(), 'default', async function loadThing(_x: unknown) {
      return ++runs;
    });
    // Opaque values are fine anywhere React can give them a slot...
    await expect(f({ nested: { fn: () => 1 } })).resolves.toBe(1);
    // ...but not under a property name React cannot address.
    await expect(f({ 'a:b': () => 1 })).rejects.toThrow(/arguments of "loadThing" cannot be serialised/);
    expect(runs).toBe(1);
  });
});
