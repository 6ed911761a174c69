// Next.js 16's cacheHandlers contract, both ways. Next.js's own built-in handler and a community
// handler from npm run this runtime's behaviour through fromNextCacheHandler; this package's
// handlers, adapted with toNextCacheHandler, keep Next.js's contract (and come back unchanged
// through fromNextCacheHandler). The real Next.js app test is test/next-app (npm run test:next).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryDataCacheHandler } from '@mrjasonroy/cache-components-cache-handler';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cacheFunction,
  cacheTag,
  configureCache,
  flush,
  onCacheEvent,
  resetCache,
  revalidateTag,
} from '../../src/runtime/index.js';
import { createFsHandler } from '../../src/runtime/handlers/fs.js';
import { createMemoryHandler } from '../../src/runtime/handlers/memory.js';
import {
  fromNextCacheHandler,
  toNextCacheHandler,
  type NextCacheEntry,
  type NextCacheHandler,
} from '../../src/runtime/handlers/next.js';
import { createRedisHandler } from '../../src/runtime/handlers/redis.js';
import type { CacheHandler } from '../../src/runtime/handlers/types.js';
import { requireRedisServer, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { uid } from '../runtime/helpers.js';
import { entry, text } from './support/entries.js';

const require = createRequire(import.meta.url);
/** Next.js 16's built-in 'use cache' handler, as the `next` package ships it. */
const { createDefaultCacheHandler } = require('next/dist/server/lib/cache-handlers/default.js') as {
  createDefaultCacheHandler(maxSize: number): NextCacheHandler;
};

const redisAvailable = requireRedisServer('Next.js adapter tests on Redis');
let server: RedisServer | undefined;
const dirs: string[] = [];
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  if (redisAvailable) server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => resetCache());
afterEach(async () => {
  resetCache();
  for (const close of closers.splice(0)) await close();
});

function ours(name: 'memory' | 'fs' | 'redis'): CacheHandler {
  let handler: CacheHandler;
  if (name === 'memory') handler = createMemoryHandler();
  else if (name === 'fs') {
    const dir = mkdtempSync(join(tmpdir(), 'use-cache-next-'));
    dirs.push(dir);
    handler = createFsHandler({ dir });
  } else handler = createRedisHandler({ url: server!.url, prefix: `${uid('next')}:` });
  closers.push(() => handler.close?.());
  return handler;
}

/** Next.js handlers (and ours through both adapters) that the behaviour suite runs on. */
const nextHandlers: Record<string, () => NextCacheHandler> = {
  'Next.js built-in': () => createDefaultCacheHandler(50 * 1024 * 1024),
  '@mrjasonroy/cache-components-cache-handler (memory)': () =>
    createMemoryDataCacheHandler() as unknown as NextCacheHandler,
  'ours (memory) through toNextCacheHandler': () => toNextCacheHandler(ours('memory')),
  'ours (fs) through toNextCacheHandler': () => toNextCacheHandler(ours('fs')),
  ...(redisAvailable ? { 'ours (redis) through toNextCacheHandler': () => toNextCacheHandler(ours('redis')) } : {}),
};

/** Records how the runtime calls a Next.js handler, passing every call through. */
function spy(inner: NextCacheHandler) {
  const calls: string[] = [];
  const sets: unknown[] = [];
  const handler: NextCacheHandler = {
    get: (key, softTags) => (calls.push('get'), inner.get(key, softTags)),
    set: (key, pending) => (calls.push('set'), sets.push(pending), inner.set(key, pending)),
    refreshTags: () => (calls.push('refreshTags'), inner.refreshTags()),
    getExpiration: (tags) => (calls.push('getExpiration'), inner.getExpiration(tags)),
    updateTags: (tags, durations) => (calls.push('updateTags'), inner.updateTags(tags, durations)),
  };
  return { handler, calls, sets };
}

const later = () => new Promise((r) => setTimeout(r, 2));

describe.each(Object.keys(nextHandlers))('%s through fromNextCacheHandler: the runtime behaves', (name) => {
  let next: ReturnType<typeof spy>;
  beforeEach(() => {
    next = spy(nextHandlers[name]!());
    configureCache({ handlers: { default: fromNextCacheHandler(next.handler) } });
  });

  it('fills once, then hits; different arguments are different entries', async () => {
    let runs = 0;
    const product = cacheFunction(uid(), 'default', async (id: number) => ({ id, run: ++runs }));
    expect(await product(1)).toEqual({ id: 1, run: 1 });
    expect(await product(1)).toEqual({ id: 1, run: 1 });
    expect(await product(2)).toEqual({ id: 2, run: 2 });
    resetCacheKeepingHandler(next.handler); // forget decoded values: the next hit reads the handler
    expect(await product(1)).toEqual({ id: 1, run: 1 });
    expect(runs).toBe(2);
  });

  it('refreshes tags before reads, and hands set a promise of an entry with a stream', async () => {
    const f = cacheFunction(uid(), 'default', async () => 'v');
    await f();
    expect(next.calls.slice(0, 2)).toEqual(['refreshTags', 'get']);
    expect(next.sets[0]).toBeInstanceOf(Promise);
    const pending = (await next.sets[0]) as NextCacheEntry;
    expect(pending.value).toBeInstanceOf(ReadableStream);
    expect(pending).toMatchObject({ tags: [], stale: 300, revalidate: 900 });
  });

  it('concurrent calls share one fill', async () => {
    let runs = 0;
    const slow = cacheFunction(uid(), 'default', async () => {
      await later();
      return ++runs;
    });
    expect(await Promise.all([slow(), slow(), slow()])).toEqual([1, 1, 1]);
  });

  it('revalidateTag makes the next call compute anew, in this process and for a fresh one', async () => {
    const tag = uid('tag');
    let runs = 0;
    const tagged = cacheFunction(uid(), 'default', async (id: number) => {
      cacheTag(tag, `${tag}-${id}`);
      return { id, run: ++runs };
    });
    expect(await tagged(1)).toEqual({ id: 1, run: 1 });
    expect(await tagged(2)).toEqual({ id: 2, run: 2 });
    await later(); // the revalidation comes strictly after the fills
    await revalidateTag(`${tag}-1`);
    expect(next.calls).toContain('updateTags');
    expect(await tagged(1)).toEqual({ id: 1, run: 3 });
    expect(await tagged(2)).toEqual({ id: 2, run: 2 });
    // Another process knows only what the handler knows: its own view of the tags is empty.
    await later();
    await revalidateTag(tag);
    resetCacheKeepingHandler(next.handler);
    expect(await tagged(2)).toEqual({ id: 2, run: 4 });
  });

  it("revalidateTag(tag, 'max') marks entries stale: served once more, refreshed in the background", async () => {
    const tag = uid('tag');
    const source = { version: 1, runs: 0 };
    const tagged = cacheFunction(uid(), 'default', async (id: number) => {
      cacheTag(tag);
      source.runs++;
      return { id, version: source.version };
    });
    const events: string[] = [];
    const off = onCacheEvent((e) => events.push(e.type));
    expect(await tagged(1)).toEqual({ id: 1, version: 1 });
    await later();
    source.version = 2;
    await revalidateTag(tag, 'max');
    expect(next.calls).toContain('updateTags');
    // The refresh must start in a later millisecond than the revalidation: one started in the same
    // millisecond cannot be ordered after it, so its value is (rightly) stale too.
    await later();
    expect(await tagged(1)).toEqual({ id: 1, version: 1 }); // stale: served at once, not gone
    await flush(); // the background refresh has stored the new value
    expect(source.runs).toBe(2);
    expect(await tagged(1)).toEqual({ id: 1, version: 2 });
    // Another process knows only what the handler knows: the refreshed entry is fresh there too.
    resetCacheKeepingHandler(next.handler);
    expect(await tagged(1)).toEqual({ id: 1, version: 2 });
    expect(source.runs).toBe(2);
    off();
    expect(events).toEqual(['miss', 'fill', 'revalidate', 'stale', 'fill', 'hit']);
  });

  it("revalidateTag(tag, 'max') seen by a fresh process: stale once, then refreshed", async () => {
    const tag = uid('tag');
    const source = { version: 1, runs: 0 };
    const id = uid();
    const define = () =>
      cacheFunction(id, 'default', async () => {
        cacheTag(tag);
        source.runs++;
        return source.version;
      });
    expect(await define()()).toBe(1);
    await later();
    source.version = 2;
    await revalidateTag(tag, 'max');
    await later(); // the refresh starts in a later millisecond than the revalidation (see above)
    // A process that did not revalidate learns of the stale mark from the handler alone.
    resetCacheKeepingHandler(next.handler);
    const read = define();
    expect(await read()).toBe(1);
    await flush();
    expect(await read()).toBe(2);
    expect(source.runs).toBe(2);
  });

  it('revalidateTag(tag, { expire: 0 }): once the deadline has passed, reads wait for a fresh value', async () => {
    const tag = uid('tag');
    const source = { version: 1, runs: 0 };
    const read = cacheFunction(uid(), 'default', async () => {
      cacheTag(tag);
      source.runs++;
      return source.version;
    });
    expect(await read()).toBe(1);
    await later();
    source.version = 2;
    await revalidateTag(tag, { expire: 0 });
    await later();
    expect(await read()).toBe(2);
    expect(source.runs).toBe(2);
  });
});

/** resetCache() forgets the configuration too: put the handler back (a "new process"). */
function resetCacheKeepingHandler(handler: NextCacheHandler): void {
  resetCache();
  configureCache({ handlers: { default: fromNextCacheHandler(handler) } });
}

describe('fromNextCacheHandler maps the contract', () => {
  it('each read gets its own copy; Infinity from getExpiration means "get checks the tags"', async () => {
    const next = createDefaultCacheHandler(1024 * 1024);
    const handler = fromNextCacheHandler({ ...next, getExpiration: async () => Infinity });
    await handler.set('k', entry('hello', ['t'], { timestamp: Date.now() }));
    const first = await handler.get('k');
    const second = await handler.get('k');
    expect(text(first)).toBe('hello');
    first!.value.fill(0);
    expect(text(second)).toBe('hello');
    expect(text(await handler.get('k'))).toBe('hello');
    expect(await handler.getTagTimes(['t'])).toEqual([{ stale: 0, expired: 0 }]);
  });

  it('reads that overlap share one refreshTags', async () => {
    let refreshes = 0;
    let release!: () => void;
    const next = createDefaultCacheHandler(1024 * 1024);
    const handler = fromNextCacheHandler({
      ...next,
      refreshTags: () => {
        refreshes++;
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    const reads = Promise.all([handler.get('a'), handler.get('b'), handler.getTagTimes(['x'])]);
    await later();
    release();
    await reads;
    expect(refreshes).toBe(1);
    const again = handler.get('a');
    await later();
    release();
    await again;
    expect(refreshes).toBe(2);
  });

  it('a stream that errors is a failing get (the runtime reports it and computes)', async () => {
    const handler = fromNextCacheHandler({
      ...createDefaultCacheHandler(1024),
      get: async () => ({
        ...entry('x'),
        value: new ReadableStream({ pull: (c) => c.error(new Error('socket closed')) }),
      }),
    });
    await expect(handler.get('k')).rejects.toThrow(/socket closed/);
  });

  it('rejects what is not a Next.js cache handler', () => {
    expect(() => fromNextCacheHandler({} as never)).toThrow(/expected a Next.js 16 cache handler/);
  });
});

describe.each<'memory' | 'fs' | 'redis'>(['memory', 'fs', ...(redisAvailable ? (['redis'] as const) : [])])(
  'toNextCacheHandler(%s) keeps Next.js 16 contract',
  (name) => {
    let next: NextCacheHandler;
    beforeEach(() => {
      next = toNextCacheHandler(ours(name));
    });

    const nextEntry = (value: string, tags: string[] = [], timestamp = Date.now()): NextCacheEntry => ({
      value: new Blob([value]).stream() as ReadableStream<Uint8Array>,
      tags,
      timestamp,
      stale: 300,
      revalidate: 900,
      expire: 3600,
    });
    const textOf = async (e: NextCacheEntry | undefined) => (e ? await new Response(e.value).text() : undefined);

    it('set takes a pending entry; a get meanwhile waits for it; every get is a new stream', async () => {
      let resolve!: (e: NextCacheEntry) => void;
      const written = next.set('k', new Promise((r) => (resolve = r)));
      const read = next.get('k', []);
      resolve(nextEntry('hello', ['t']));
      await written;
      const first = await read;
      expect(first).toMatchObject({ tags: ['t'], stale: 300, revalidate: 900, expire: 3600 });
      expect(await textOf(first)).toBe('hello');
      expect(await textOf(await next.get('k', []))).toBe('hello');
      expect(await next.get('absent', [])).toBeUndefined();
    });

    it('a value stream that errors stores nothing and is logged, not thrown into the render', async () => {
      const lines: string[] = [];
      configureCache({ debug: (line) => lines.push(line) });
      const broken = { ...nextEntry('x'), value: new ReadableStream({ pull: (c) => c.error(new Error('boom')) }) };
      await next.set('k', Promise.resolve(broken));
      expect(await next.get('k', [])).toBeUndefined();
      expect(lines.join('\n')).toMatch(/toNextCacheHandler handler: set failed, nothing stored: boom/);
    });

    it('updateTags expires the entries of those tags; getExpiration reports the time', async () => {
      await next.set('a', Promise.resolve(nextEntry('a', ['x'])));
      await next.set('b', Promise.resolve(nextEntry('b', ['y'])));
      expect(await next.getExpiration(['x'])).toBe(0);
      await later();
      await next.updateTags(['x']);
      expect(await next.get('a', [])).toBeUndefined();
      expect(await textOf(await next.get('b', []))).toBe('b');
      expect(await next.getExpiration(['x', 'y'])).toBeGreaterThanOrEqual(Date.now() - 1000);
      // An entry made after the revalidation is fresh again.
      await later();
      await next.set('a', Promise.resolve(nextEntry('a2', ['x'])));
      expect(await textOf(await next.get('a', []))).toBe('a2');
    });

    it('updateTags with durations (revalidateTag(tag, profile)) serves the entry as stale: revalidate -1', async () => {
      await next.set('a', Promise.resolve(nextEntry('a', ['x'])));
      await later();
      await next.updateTags(['x'], { expire: 3600 });
      const stale = await next.get('a', []);
      expect(await textOf(stale)).toBe('a');
      expect(stale!.revalidate).toBe(-1);
      // As Next.js's built-in handler, getExpiration reports the deadline.
      expect(await next.getExpiration(['x'])).toBeGreaterThan(Date.now() + 3_000_000);
      await next.updateTags(['x'], { expire: 0 });
      await later();
      expect(await next.get('a', [])).toBeUndefined();
    });
  },
);

describe.skipIf(!redisAvailable)('toNextCacheHandler and fill leases (Redis)', () => {
  it('a miss in two instances at once: one computes, the other gets its entry once stored', async () => {
    const prefix = `${uid('lease')}:`;
    const [first, second] = [0, 1].map(() => {
      const handler = createRedisHandler({ url: server!.url, prefix });
      closers.push(() => handler.close());
      return toNextCacheHandler(handler);
    });
    expect(await first!.get('k', [])).toBeUndefined(); // a miss: this instance holds the lease
    let answered = false;
    const waiting = second!.get('k', []).then((e) => ((answered = true), e));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false); // the other waits for the holder's entry instead of computing
    const value = new Blob(['computed once']).stream() as ReadableStream<Uint8Array>;
    await first!.set(
      'k',
      Promise.resolve({ value, tags: [], timestamp: Date.now(), stale: 300, revalidate: 900, expire: 3600 }),
    );
    const got = await waiting;
    expect(await new Response(got!.value).text()).toBe('computed once');
    // The lease was released with the write: a later miss of another key is not delayed.
    expect(await second!.get('other', [])).toBeUndefined();
  });
});

describe('the recipe in docs/handlers.md', () => {
  it('is the cache handler module the Next.js app test runs', () => {
    const docs = readFileSync(new URL('../../docs/handlers.md', import.meta.url), 'utf8');
    const app = readFileSync(new URL('../next-app/cache-handler.mjs', import.meta.url), 'utf8');
    const snippet = /```js\n\/\/ cache-handler\.mjs\n([\s\S]*?)```/.exec(docs)?.[1];
    const code = (text: string) => text.replace(/^\/\/.*\n/gm, '').trim();
    expect(snippet).toBeDefined();
    expect(code(snippet!)).toBe(code(app));
  });
});
