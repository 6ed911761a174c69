import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cacheFunction,
  configureCache,
  resetCache,
  revalidateTag,
  cacheTag,
  type CacheEntry,
  type CacheHandler,
} from '../../src/runtime/index.js';
import { createMemoryHandler, DEFAULT_MAX_BYTES, entryCost } from '../../src/runtime/handlers/memory.js';
import { encryptBound, decryptBound } from '../../src/runtime/actions/index.js';
import { captureDebug, recordingHandler, uid } from './helpers.js';
import { expiration } from '../handlers/support/entries.js';

beforeEach(() => resetCache());
afterEach(() => resetCache());

function entry(bytes: number, tags: string[] = [], timestamp = 0): CacheEntry {
  return { value: new Uint8Array(bytes), tags, timestamp, stale: 1, revalidate: 1, expire: 1 };
}

describe('handlers per kind', () => {
  it("'default', 'remote' and extra kinds use their configured handlers; 'private' never a shared one", async () => {
    const def = recordingHandler();
    const remote = recordingHandler();
    const edge = recordingHandler();
    configureCache({ handlers: { default: def.handler, remote: remote.handler, edge: edge.handler } });
    await cacheFunction(uid(), 'default', async () => 1)();
    await cacheFunction(uid(), 'remote', async () => 2)();
    await cacheFunction(uid(), 'edge', async () => 3)();
    await cacheFunction(uid(), 'private', async () => 4)();
    // 'private' outside a request scope runs uncached (see request-scope.test.ts).
    expect([def.calls.set, remote.calls.set, edge.calls.set]).toEqual([1, 1, 1]);
  });

  it("'remote' falls back to the default handler unless configured", async () => {
    const def = recordingHandler();
    configureCache({ handlers: { default: def.handler } });
    const f = cacheFunction(uid(), 'remote', async () => 1);
    await f();
    await f();
    expect(def.calls).toMatchObject({ set: 1, get: 2 });
  });

  it('an extra kind without a handler is a clear error', async () => {
    const f = cacheFunction(uid(), 'edge', async () => 1);
    await expect(f()).rejects.toThrow(/'use cache: edge': no cache handler is configured for the kind "edge"/);
  });

  it('handlers, options and profiles are validated', () => {
    expect(() => configureCache({ handlers: { default: {} as CacheHandler } })).toThrow(
      /handlers.default must implement/,
    );
    expect(() => configureCache({ nope: 1 } as never)).toThrow(/unknown option "nope"/);
    expect(() => configureCache({ buildId: 1 as never })).toThrow(/buildId must be a string/);
    expect(() => configureCache({ clock: 1 as never })).toThrow(/clock must be a function/);
    expect(() => configureCache({ handlerTimeoutMs: -1 })).toThrow(/handlerTimeoutMs/);
    expect(() => configureCache({ debug: 'yes' as never })).toThrow(/debug must be/);
    expect(() => cacheFunction('', 'default', async () => 1)).toThrow(/id must be/);
    expect(() => cacheFunction('x', 'default', 1 as never)).toThrow(/expected a function/);
  });

  it('cacheFunction returns a named async wrapper registered as a server reference; cacheExport wraps only functions', async () => {
    const id = uid();
    const f = cacheFunction(id, 'default', async function getUser(id: number) {
      return id;
    });
    expect(f.name).toBe('getUser');
    expect(f.length).toBe(1);
    expect((f as unknown as { $$id: string }).$$id).toBe(id);
    expect((f as unknown as { $$typeof: symbol }).$$typeof).toBe(Symbol.for('react.server.reference'));
    expect(f(1)).toBeInstanceOf(Promise);
    const { cacheExport } = await import('../../src/runtime/index.js');
    const value = { not: 'a function' };
    expect(cacheExport(uid(), 'default', value)).toBe(value);
    expect(cacheExport(uid(), 'default', 42)).toBe(42);
    let runs = 0;
    const g = cacheExport(uid(), 'default', async (x: number) => x + ++runs);
    expect(await g(1)).toBe(2);
    expect(await g(1)).toBe(2);
  });

  it('forwards encryptionKey to the server actions runtime', async () => {
    const k1 = Buffer.alloc(32, 1).toString('base64');
    const k2 = Buffer.alloc(32, 2).toString('base64');
    configureCache({ encryptionKey: k1 });
    const sealed = await encryptBound('action-id', ['secret']);
    expect(await decryptBound('action-id', sealed)).toEqual(['secret']);
    configureCache({ encryptionKey: k2 });
    await expect(decryptBound('action-id', sealed)).rejects.toThrow();
    expect(() => configureCache({ encryptionKey: 'short', buildId: 'never-applied' })).toThrow(/encryption key/);
  });
});

describe('handler faults never fail the call', () => {
  function faulty(overrides: Partial<Record<keyof CacheHandler, () => unknown>>): CacheHandler {
    const inner = createMemoryHandler();
    return {
      get: (overrides.get as CacheHandler['get']) ?? ((k) => inner.get(k)),
      set: (overrides.set as CacheHandler['set']) ?? ((k, e) => inner.set(k, e)),
      getTagTimes: (overrides.getTagTimes as CacheHandler['getTagTimes']) ?? ((t) => inner.getTagTimes(t)),
      updateTags: (overrides.updateTags as CacheHandler['updateTags']) ?? ((t, ts, d) => inner.updateTags(t, ts, d)),
    };
  }
  const cases: Array<[string, Partial<Record<keyof CacheHandler, () => unknown>>]> = [
    [
      'get throws',
      {
        get: () => {
          throw new Error('get threw');
        },
      },
    ],
    ['get rejects', { get: () => Promise.reject(new Error('get rejected')) }],
    ['get never settles', { get: () => new Promise(() => {}) }],
    [
      'set throws',
      {
        set: () => {
          throw new Error('set threw');
        },
      },
    ],
    ['set rejects', { set: () => Promise.reject(new Error('set rejected')) }],
    ['set never settles', { set: () => new Promise(() => {}) }],
    ['getTagTimes rejects', { getTagTimes: () => Promise.reject(new Error('exp rejected')) }],
    ['getTagTimes never settles', { getTagTimes: () => new Promise(() => {}) }],
    ['get returns garbage', { get: async () => ({ value: 'not bytes' }) }],
    [
      'get returns undecodable bytes',
      {
        get: async () => ({
          ...entry(0),
          value: new TextEncoder().encode('0:{"broken'),
          revalidate: 1e9,
          expire: 1e9,
          timestamp: Date.now(),
        }),
      },
    ],
  ];
  for (const [name, overrides] of cases) {
    it(name, async () => {
      const lines = captureDebug();
      configureCache({ handlers: { default: faulty(overrides) }, handlerTimeoutMs: 30 });
      let runs = 0;
      const f = cacheFunction(uid(), 'default', async (x: number) => {
        cacheTag('t');
        runs++;
        return { x };
      });
      expect(await f(1)).toEqual({ x: 1 });
      expect(await f(1)).toEqual({ x: 1 });
      expect(await f(1)).toEqual({ x: 1 });
      // A failing read or an undecodable value is a miss, a failed write stores nothing: every
      // call runs. A failing tag check means "no invalidation known", and a write still in flight
      // (for up to handlerTimeoutMs) serves the calls that follow: one run (docs/runtime.md, handlers).
      const everyCallRuns = name.startsWith('get ') || name === 'set throws' || name === 'set rejects';
      expect(runs).toBe(everyCallRuns ? 3 : 1);
      await new Promise((resolve) => setTimeout(resolve, 100)); // a write that never settles times out later
      const failures = lines.filter((l) => l.includes('handler-error'));
      if (!name.includes('garbage') && !name.includes('undecodable')) {
        expect(failures).toHaveLength(1); // reported once, not on every call
        expect(failures[0]).toMatch(/kind=default op=/);
      }
    });
  }

  it('updateTags failing in revalidateTag is reported; this process still sees the invalidation', async () => {
    const lines = captureDebug();
    configureCache({ handlers: { default: faulty({ updateTags: () => Promise.reject(new Error('down')) }) } });
    let runs = 0;
    const f = cacheFunction(uid(), 'default', async () => {
      cacheTag('t');
      return ++runs;
    });
    await f();
    await expect(revalidateTag('t')).resolves.toBeUndefined();
    expect(await f()).toBe(2);
    expect(lines.some((l) => /handler-error kind=default op=updateTags Error: down/.test(l))).toBe(true);
  });

  it('a handler that recovers is reported as recovered and failures are reported again later', async () => {
    const lines = captureDebug();
    let fail = true;
    const inner = createMemoryHandler();
    configureCache({
      handlers: {
        default: {
          ...inner,
          get: async (k: string) => {
            if (fail) throw new Error('flaky');
            return inner.get(k);
          },
        },
      },
    });
    const f = cacheFunction(uid(), 'default', async () => 1);
    await f();
    await f();
    fail = false;
    await f();
    fail = true;
    await f();
    expect(lines.filter((l) => l.includes('handler-error'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('handler-recovered'))).toHaveLength(1);
  });
});

describe('memory handler', () => {
  it('defaults to 50 MB', () => {
    expect(DEFAULT_MAX_BYTES).toBe(50 * 1024 * 1024);
    expect(createMemoryHandler().maxBytes).toBe(DEFAULT_MAX_BYTES);
    expect(() => createMemoryHandler({ maxBytes: 0 })).toThrow(/maxBytes/);
  });

  it('stores, replaces and evicts least recently used entries first, staying inside its budget', async () => {
    const h = createMemoryHandler({ maxBytes: 3 * entryCost('k0', entry(100)) });
    await h.set('k0', entry(100));
    await h.set('k1', entry(100));
    await h.set('k2', entry(100));
    expect(h.count).toBe(3);
    await h.get('k0'); // k1 is now the least recent
    await h.set('k3', entry(100));
    expect(await h.get('k1')).toBeUndefined();
    expect(await h.get('k0')).toBeDefined();
    expect(h.size).toBeLessThanOrEqual(h.maxBytes);
    await h.set('k0', entry(10));
    expect(h.count).toBe(3);
    expect(h.size).toBe(entryCost('k0', entry(10)) + 2 * entryCost('k2', entry(100)));
    await h.set('huge', entry(10_000));
    expect(await h.get('huge')).toBeUndefined(); // larger than the whole budget: not stored
    expect(h.count).toBe(3);
  });

  it('charges keys and tags as well as value bytes', () => {
    expect(entryCost('key', entry(10, ['a', 'bb']))).toBeGreaterThan(10 + 2 * 3 + 2 * 3);
  });

  it('never goes over budget under random load', async () => {
    const h = createMemoryHandler({ maxBytes: 64 * 1024 });
    let seed = 1;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 20_000; i++) {
      const key = `k${Math.floor(random() * 3000)}`;
      if (random() < 0.3) await h.get(key);
      else await h.set(key, entry(Math.floor(random() * 2000), random() < 0.5 ? ['tag'] : []));
      expect(h.size).toBeLessThanOrEqual(h.maxBytes);
    }
    expect(h.count).toBeGreaterThan(10);
  });

  it('keeps tag times per tag: latest wins', async () => {
    const h = createMemoryHandler();
    expect(await expiration(h, ['a'])).toBe(0);
    await h.updateTags(['a', 'b'], 100);
    await h.updateTags(['a'], 50);
    await h.updateTags(['b'], 200);
    expect(await expiration(h, ['a'])).toBe(100);
    expect(await expiration(h, ['a', 'b', 'c'])).toBe(200);
    h.clear();
    expect(await expiration(h, ['a'])).toBe(0);
  });

  it('through the runtime, 2,000 distinct keys stay inside a small budget', async () => {
    const h = createMemoryHandler({ maxBytes: 20 * 1024 });
    configureCache({ handlers: { default: h } });
    const f = cacheFunction(uid(), 'default', async (i: number) => ({ i, text: 'x'.repeat(i % 200) }));
    let peak = 0;
    for (let i = 0; i < 2_000; i++) {
      await f(i);
      peak = Math.max(peak, h.size);
    }
    expect(peak).toBeLessThanOrEqual(h.maxBytes);
    expect(h.count).toBeLessThan(2_000);
    expect(await f(1_999)).toEqual({ i: 1_999, text: 'x'.repeat(1_999 % 200) });
  });
});

describe('tag times', () => {
  it('are bounded; forgotten records are conservative (older entries count as revalidated)', async () => {
    const { TagManifest } = await import('../../src/runtime/handlers/tag-times.js');
    const manifest = new TagManifest(3);
    const times = {
      record: (tags: string[], at: number) => manifest.update(tags, at),
      latest: (tags: string[]) => manifest.marks(tags, Infinity).expired,
      get size() {
        return manifest.size;
      },
    };
    times.record(['a'], 10);
    times.record(['b'], 20);
    times.record(['c'], 30);
    times.record(['a'], 40); // a moves to the most recent end
    expect(times.latest(['a'])).toBe(40);
    times.record(['d'], 50); // b (20) is forgotten
    expect(times.size).toBe(3);
    expect(times.latest(['b'])).toBe(20); // unknown now: the floor
    expect(times.latest(['never-seen'])).toBe(20);
    expect(times.latest(['c'])).toBe(30);
    for (let i = 0; i < 100; i++) times.record([`t${i}`], 100 + i);
    expect(times.size).toBe(3);
    expect(times.latest(['t99'])).toBe(199);
    expect(times.latest(['a'])).toBe(196); // forgotten: floor of the latest forgotten record
    expect(times.latest([])).toBe(0);
  });

  it('a memory handler with few tag slots still never serves an entry whose tag was revalidated', async () => {
    configureCache({ handlers: { default: createMemoryHandler({ maxTags: 2 }) } });
    let runs = 0;
    const f = cacheFunction(uid(), 'default', async (tag: string) => {
      cacheTag(tag);
      return ++runs;
    });
    expect(await f('x')).toBe(1);
    for (let i = 0; i < 10; i++) await revalidateTag(`other-${i}`);
    await revalidateTag('x');
    for (let i = 0; i < 10; i++) await revalidateTag(`more-${i}`);
    expect(await f('x')).toBe(2);
    expect(await f('x')).toBe(2);
  });
});
