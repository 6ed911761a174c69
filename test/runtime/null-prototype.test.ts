// Null-prototype objects (`querystring.parse`, `Object.create(null)`, `Object.groupBy`) as
// arguments: keyed and passed by content like plain objects. encodeReply alone treats them as
// opaque, so two different ones would share one entry and the body would see neither.
import { parse } from 'node:querystring';
import { beforeEach, describe, expect, it } from 'vitest';
import { resetCache } from '../../src/runtime/index.js';
import { counted, createElement, textOf } from './helpers.js';

beforeEach(() => resetCache());

function bare(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(Object.create(null) as Record<string, unknown>, fields);
}

describe('null-prototype objects as arguments', () => {
  it('querystring.parse results: keyed by content, and the body sees their fields', async () => {
    const search = counted((query: Record<string, unknown>) => JSON.stringify(query));
    expect(await search(parse('q=shoes&page=1'))).toBe('{"q":"shoes","page":"1"}');
    expect(await search(parse('q=hats&page=2'))).toBe('{"q":"hats","page":"2"}');
    expect(search.state.runs).toBe(2);
    expect(await search(parse('q=shoes&page=1'))).toBe('{"q":"shoes","page":"1"}');
    expect(search.state.runs).toBe(2);
    // Repeated keys are arrays in querystring.parse: content, not shape, decides.
    expect(await search(parse('tag=a&tag=b'))).toBe('{"tag":["a","b"]}');
    expect(await search(parse('tag=a&tag=c'))).toBe('{"tag":["a","c"]}');
    expect(search.state.runs).toBe(4);
  });

  it('Object.create(null), nested in arrays, plain objects, Maps and Sets', async () => {
    const f = counted((value: unknown) => value);
    const inArray = await f([bare({ a: 1 })]);
    expect(inArray).toEqual([{ a: 1 }]);
    expect(await f([bare({ a: 2 })])).toEqual([{ a: 2 }]);
    expect(await f({ outer: bare({ inner: bare({ deep: 'x' }) }) })).toEqual({ outer: { inner: { deep: 'x' } } });
    expect(await f({ outer: bare({ inner: bare({ deep: 'y' }) }) })).toEqual({ outer: { inner: { deep: 'y' } } });
    expect(await f(new Map([['k', bare({ v: 1 })]]))).toEqual(new Map([['k', { v: 1 }]]));
    expect(await f(new Map([['k', bare({ v: 2 })]]))).toEqual(new Map([['k', { v: 2 }]]));
    expect(await f(new Set([bare({ s: 1 })]))).toEqual(new Set([{ s: 1 }]));
    expect(await f(new Set([bare({ s: 2 })]))).toEqual(new Set([{ s: 2 }]));
    expect(f.state.runs).toBe(8);
    expect(await f([bare({ a: 1 })])).toEqual([{ a: 1 }]);
    expect(f.state.runs).toBe(8);
  });

  it('an empty one and one with a field differ; a "__proto__" field is treated as in a plain object', async () => {
    const f = counted((value: Record<string, unknown>) => Object.keys(value).join(','));
    expect(await f(bare({}))).toBe('');
    // decodeReply drops an own "__proto__" key, from plain objects too: never a prototype change.
    const plain = JSON.parse('{"__proto__":"polluted","x":"1"}') as Record<string, unknown>;
    expect(await f(parse('__proto__=polluted&x=1'))).toBe('x');
    expect(await f(plain)).toBe('x');
    expect(f.state.runs).toBe(2);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('shared references and cycles through them are kept', async () => {
    const f = counted((value: { a: object; b: object }) => value.a === value.b);
    const shared = bare({ n: 1 });
    expect(await f({ a: shared, b: shared })).toBe(true);
    const cyclic = bare({ n: 2 });
    cyclic.self = cyclic;
    const g = counted((value: Record<string, unknown>) => value.self === value && value.n);
    expect(await g(cyclic)).toBe(2);
  });

  it('next to opaque values (children): both work, and the children stay the caller’s', async () => {
    const Card = counted(async ({ query, children }: { query: Record<string, unknown>; children: unknown }) =>
      createElement('section', null, `q=${String(query.q)} `, children as never),
    );
    expect(textOf(await Card({ query: parse('q=one'), children: createElement('i', null, 'A') }))).toBe('q=one A');
    expect(textOf(await Card({ query: parse('q=two'), children: createElement('i', null, 'B') }))).toBe('q=two B');
    expect(textOf(await Card({ query: parse('q=one'), children: createElement('i', null, 'C') }))).toBe('q=one C');
    expect(Card.state.runs).toBe(2);
  });

  it('inside a promise: keyed and passed by content too', async () => {
    const f = counted(async (value: Promise<Record<string, unknown>>) => JSON.stringify(await value));
    expect(await f(Promise.resolve(bare({ p: 1 })))).toBe('{"p":1}');
    expect(await f(Promise.resolve(bare({ p: 2 })))).toBe('{"p":2}');
    expect(f.state.runs).toBe(2);
  });

  it('inside an iterator, which can be read only once: an error saying so, never a collision', async () => {
    const g = counted((items: Iterable<unknown>) => JSON.stringify([...items]));
    function* yielding(n: number, item: unknown) {
      yield item;
      yield { plain: n };
    }
    await expect(g(yielding(1, bare({ n: 1 })))).rejects.toThrow(
      /arguments of ".*" cannot be serialised into a cache key: TypeError: an argument holds an iterator next to a null-prototype object.*Array\.from\(iterator\)/,
    );
    // Without a null-prototype object, an iterator next to opaque values (children) works as before.
    expect(await g(yielding(1, createElement('i')))).toMatch(/,\{"plain":1\}\]$/);
    expect(g.state.runs).toBe(1);
  });

  it('the caller’s object is left untouched', async () => {
    const f = counted((value: Record<string, unknown>) => value.a);
    const arg = bare({ a: 1 });
    expect(await f(arg)).toBe(1);
    expect(Object.getPrototypeOf(arg)).toBeNull();
  });
});
