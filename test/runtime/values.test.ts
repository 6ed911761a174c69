import { beforeEach, describe, expect, it } from 'vitest';
import { cacheFunction, configureCache, resetCache } from '../../src/runtime/index.js';
import { copier, placeholderReferences } from '../../src/runtime/value.js';
import { counted, createElement, recordingHandler, renderFlight, textOf, uid } from './helpers.js';

beforeEach(() => resetCache());

function richValue() {
  return {
    date: new Date('2024-01-02T03:04:05.000Z'),
    map: new Map<unknown, unknown>([
      ['a', 1],
      [2, { deep: true }],
    ]),
    set: new Set(['x', 'y']),
    big: 12345678901234567890n,
    missing: undefined,
    bytes: new Uint8Array([1, 2, 3]),
    floats: new Float64Array([1.5, -2.25]),
    ints: new Int32Array([-1, 7]),
    nested: { list: [1, 'two', null, { three: 3 }] },
    dollar: '$not-a-reference',
    negZero: -0,
    inf: -Infinity,
  };
}

async function checkRich(value: unknown) {
  const v = value as ReturnType<typeof richValue>;
  expect(v.date).toBeInstanceOf(Date);
  expect(v.date.toISOString()).toBe('2024-01-02T03:04:05.000Z');
  expect(v.map).toBeInstanceOf(Map);
  expect([...v.map]).toEqual([
    ['a', 1],
    [2, { deep: true }],
  ]);
  expect(v.set).toBeInstanceOf(Set);
  expect([...v.set]).toEqual(['x', 'y']);
  expect(v.big).toBe(12345678901234567890n);
  // Flight drops properties whose value is undefined (JSON.parse's reviver), as without caching.
  expect(v.missing).toBeUndefined();
  expect(v.bytes).toBeInstanceOf(Uint8Array);
  expect([...v.bytes]).toEqual([1, 2, 3]);
  expect(v.floats).toBeInstanceOf(Float64Array);
  expect([...v.floats]).toEqual([1.5, -2.25]);
  expect(v.ints).toBeInstanceOf(Int32Array);
  expect([...v.ints]).toEqual([-1, 7]);
  expect(v.nested).toEqual({ list: [1, 'two', null, { three: 3 }] });
  expect(v.dollar).toBe('$not-a-reference');
  expect(Object.is(v.negZero, -0)).toBe(true);
  expect(v.inf).toBe(-Infinity);
}

describe('values', () => {
  it('Date, Map, Set, BigInt, undefined and typed arrays round-trip on the miss and on the hit', async () => {
    const f = counted(() => richValue());
    await checkRich(await f());
    await checkRich(await f());
    await checkRich(await f());
    expect(f.state.runs).toBe(1);
  });

  it('nested promises round-trip (and can be awaited) on the miss and on the hit', async () => {
    const f = counted(() => ({
      now: Promise.resolve({ n: 1 }),
      later: new Promise((resolve) => setTimeout(() => resolve([new Date(0)]), 5)),
      deep: Promise.resolve(Promise.resolve('deep')),
    }));
    for (let i = 0; i < 3; i++) {
      const v = (await f()) as { now: Promise<unknown>; later: Promise<Date[]>; deep: Promise<string> };
      expect(await v.now).toEqual({ n: 1 });
      const later = await v.later;
      expect(later[0]).toBeInstanceOf(Date);
      expect(await v.deep).toBe('deep');
    }
    expect(f.state.runs).toBe(1);
  });

  it('primitives and undefined results are cached too', async () => {
    const f = counted((kind: string) => (kind === 'u' ? undefined : kind === 'n' ? null : 42n));
    expect(await f('u')).toBeUndefined();
    expect(await f('u')).toBeUndefined();
    expect(await f('n')).toBeNull();
    expect(await f('b')).toBe(42n);
    expect(await f('b')).toBe(42n);
    expect(f.state.runs).toBe(3);
  });

  it('a hit never hands out an object an earlier caller mutated', async () => {
    const f = counted(() => richValue());
    const first = await f();
    first.nested.list.push('mutated');
    first.map.set('a', 999);
    first.set.add('z');
    first.date.setTime(0);
    first.bytes[0] = 99;
    (first as Record<string, unknown>).extra = 1;
    const second = await f();
    await checkRich(second);
    expect(second).not.toHaveProperty('extra');
    second.nested.list.length = 0;
    second.map.clear();
    const third = await f();
    await checkRich(third);
    expect(third).not.toBe(second);
    expect(f.state.runs).toBe(1);
  });

  it('values that must be decoded on every hit (promises, JSX) are not shared either', async () => {
    const f = counted(() => ({ list: [1, 2], p: Promise.resolve({ inner: [1] }), el: createElement('b', null, 'x') }));
    const first = (await f()) as { list: number[]; p: Promise<{ inner: number[] }> };
    first.list.push(3);
    (await first.p).inner.push(2);
    const second = (await f()) as { list: number[]; p: Promise<{ inner: number[] }> };
    expect(second.list).toEqual([1, 2]);
    expect((await second.p).inner).toEqual([1]);
    expect(f.state.runs).toBe(1);
  });

  it('shared references and cycles survive, in every copy', async () => {
    const f = counted(() => {
      const shared = { n: 1 };
      const cyclic: Record<string, unknown> = { name: 'loop' };
      cyclic.self = cyclic;
      return { a: shared, b: shared, cyclic };
    });
    for (let i = 0; i < 3; i++) {
      const v = (await f()) as { a: object; b: object; cyclic: { self: unknown } };
      expect(v.a).toBe(v.b);
      expect(v.cyclic.self).toBe(v.cyclic);
    }
    const one = (await f()) as { a: object };
    const two = (await f()) as { a: object };
    expect(one.a).not.toBe(two.a);
  });

  it('a value that cannot be serialised is a clear error naming the function, and is not stored', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    class Point {
      constructor(public x: number) {}
    }
    let runs = 0;
    const getPoint = cacheFunction(uid(), 'default', async function getPoint() {
      runs++;
      return { p: new Point(1) };
    });
    await expect(getPoint()).rejects.toThrow(/"getPoint".*cannot be serialised/);
    const getFn = cacheFunction(uid(), 'default', async function getCallback() {
      return { onClick: () => 1 };
    });
    await expect(getFn()).rejects.toThrow(/"getCallback".*cannot be serialised/);
    await expect(getPoint()).rejects.toThrow(TypeError);
    expect(runs).toBe(2);
    expect(recorder.calls.set).toBe(0);
  });

  it('errors thrown by the body reach the caller as thrown and are never stored', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    const boom = new RangeError('boom');
    let runs = 0;
    const f = cacheFunction(uid(), 'default', async (fail: boolean) => {
      runs++;
      if (fail) throw boom;
      return 'ok';
    });
    await expect(f(true)).rejects.toBe(boom);
    await expect(f(true)).rejects.toBe(boom);
    expect(runs).toBe(2);
    expect(recorder.calls.set).toBe(0);
    expect(await f(false)).toBe('ok');
    expect(recorder.calls.set).toBe(1);
  });

  it('a promise in the value that rejects fails the call with that error and stores nothing', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    const reason = new Error('late failure');
    let runs = 0;
    const f = cacheFunction(uid(), 'default', async () => {
      runs++;
      return { data: Promise.reject(reason) };
    });
    await expect(f()).rejects.toBe(reason);
    await expect(f()).rejects.toBe(reason);
    expect(runs).toBe(2);
    expect(recorder.calls.set).toBe(0);
  });

  it('returning an argument gives back what this caller passed', async () => {
    const f = counted((o: { a: number }) => ({ same: o, n: o.a }));
    const arg1 = { a: 1 };
    const arg2 = { a: 1 };
    const r1 = (await f(arg1)) as { same: unknown; n: number };
    const r2 = (await f(arg2)) as { same: unknown; n: number };
    expect(f.state.runs).toBe(1);
    expect(r1.same).toBe(arg1);
    expect(r2.same).toBe(arg2);
  });
});

describe('cached components', () => {
  it('run once for different children, and each render shows its own children', async () => {
    let runs = 0;
    const Card = cacheFunction(uid(), 'default', async function Card(props: { title: string; children?: unknown }) {
      runs++;
      return createElement('section', null, createElement('h1', null, props.title), props.children as never);
    });
    const first = await renderFlight(
      createElement(Card as never, { title: 'Hello' }, createElement('p', null, 'first child')),
    );
    const second = await renderFlight(
      createElement(Card as never, { title: 'Hello' }, createElement('p', null, 'second child')),
    );
    expect(runs).toBe(1);
    expect(textOf(first)).toBe('Hellofirst child');
    expect(textOf(second)).toBe('Hellosecond child');
    const other = await renderFlight(createElement(Card as never, { title: 'Other' }, createElement('em', null, '!')));
    expect(runs).toBe(2);
    expect(textOf(other)).toBe('Other!');
  });

  it('a cached component rendering a cached component', async () => {
    let inner = 0;
    let outer = 0;
    const Badge = cacheFunction(uid(), 'default', async function Badge(props: { label: string }) {
      inner++;
      return createElement('span', null, props.label.toUpperCase());
    });
    const Page = cacheFunction(uid(), 'default', async function Page(props: { children?: unknown }) {
      outer++;
      return createElement('main', null, createElement(Badge as never, { label: 'new' }), props.children as never);
    });
    const a = await renderFlight(createElement(Page as never, null, createElement('i', null, 'one')));
    const b = await renderFlight(createElement(Page as never, null, createElement('i', null, 'two')));
    expect(textOf(a)).toBe('NEWone');
    expect(textOf(b)).toBe('NEWtwo');
    expect(outer).toBe(1);
    expect(inner).toBe(1);
  });
});

describe('copier', () => {
  it('copies plain data deeply and refuses what it cannot copy faithfully', () => {
    const value = { a: [1, { b: new Date(5) }], m: new Map([[{ k: 1 }, new Set([1])]]) };
    const copy = copier(value)!;
    const c = copy(undefined) as typeof value;
    expect(c).toEqual(value);
    expect(c.a).not.toBe(value.a);
    expect([...c.m.keys()][0]).not.toBe([...value.m.keys()][0]);
    expect(copier('text')!(undefined)).toBe('text');
    expect(copier(Promise.resolve(1))).toBeUndefined();
    expect(copier({ f: () => 1 })).toBeUndefined();
    expect(copier(Object.freeze({ a: 1 }))).toBeUndefined();
    // Development builds freeze elements: decoded on every hit. Production ones are plain objects.
    expect(copier(createElement('p')) === undefined).toBe(process.env.NODE_ENV !== 'production');
    expect(copier(new (class X {})())).toBeUndefined();
    expect(copier(JSON.parse('{"__proto__": {"polluted": true}}'))).toBeUndefined();
  });

  it("fills the placeholders of temporary references with each caller's values", () => {
    const placeholders = placeholderReferences();
    const child = placeholders.get('$0:children')!;
    const onClick = placeholders.get('$0:onClick')!;
    // A production React element is a plain object: copied, with its holes filled.
    const element = {
      $$typeof: Symbol.for('react.transitional.element'),
      type: 'div',
      key: null,
      ref: null,
      props: { children: [child, 'text'], onClick },
    };
    const copy = copier({ element, again: child })!;
    const first = copy(
      new Map<string, unknown>([
        ['$0:children', 'A'],
        ['$0:onClick', 'fnA'],
      ]),
    ) as any;
    const second = copy(
      new Map<string, unknown>([
        ['$0:children', 'B'],
        ['$0:onClick', 'fnB'],
      ]),
    ) as any;
    expect(first.element.props).toEqual({ children: ['A', 'text'], onClick: 'fnA' });
    expect(first.again).toBe('A');
    expect(second.element.props).toEqual({ children: ['B', 'text'], onClick: 'fnB' });
    expect(second.element).not.toBe(first.element);
    expect(second.element.$$typeof).toBe(Symbol.for('react.transitional.element'));
    // Shared structure (a graph) keeps its holes too.
    const shared = { x: 1, child };
    const graph = copier({ a: shared, b: shared })!;
    const g = graph(new Map([['$0:children', 'C']])) as any;
    expect(g.a).toBe(g.b);
    expect(g.a.child).toBe('C');
  });
});

describe('render errors', () => {
  it('an error of the user that merely sounds like a serialisation error is rethrown as is', async () => {
    const own = new Error('Feature not supported: cannot be passed');
    const f = cacheFunction(uid(), 'default', async () => ({ later: Promise.reject(own) }));
    await expect(f()).rejects.toBe(own);
    const sym = cacheFunction(uid(), 'default', async function withSymbol() {
      return { s: Symbol('local') };
    });
    await expect(sym()).rejects.toThrow(/"withSymbol" cannot be serialised/);
  });
});
