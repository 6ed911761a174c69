// The same contract, checked against every handler: directly, then through the runtime.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cacheFunction, cacheTag, configureCache, flush, resetCache, revalidateTag } from '../../src/runtime/index.js';
import { createFsHandler } from '../../src/runtime/handlers/fs.js';
import { createMemoryHandler } from '../../src/runtime/handlers/memory.js';
import { createRedisHandler } from '../../src/runtime/handlers/redis.js';
import type { CacheHandler } from '../../src/runtime/handlers/types.js';
import { requireRedisServer, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { entry, expiration, text } from './support/entries.js';

const redisAvailable = requireRedisServer('Redis handler contract tests');
let server: RedisServer | undefined;
const dirs: string[] = [];
let counter = 0;

const makers: Record<string, () => CacheHandler> = {
  memory: () => createMemoryHandler(),
  fs: () => {
    const dir = mkdtempSync(join(tmpdir(), 'use-cache-contract-'));
    dirs.push(dir);
    return createFsHandler({ dir });
  },
  ...(redisAvailable
    ? { redis: () => createRedisHandler({ url: server!.url, prefix: `contract-${process.pid}-${++counter}:` }) }
    : {}),
};

beforeAll(async () => {
  if (redisAvailable) server = await startRedisServer();
});
afterAll(async () => {
  await server?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(Object.keys(makers))('%s handler contract', (name) => {
  let handler: CacheHandler;
  beforeEach(() => {
    handler = makers[name]!();
    resetCache();
  });
  afterEach(async () => {
    resetCache();
    await handler.close?.();
  });

  it('get: undefined when absent; the stored entry after set; replaced by a later set', async () => {
    expect(await handler.get('k')).toBeUndefined();
    const first = entry('first', ['a', 'b'], { timestamp: 10, stale: 1, revalidate: 2, expire: 3 });
    await handler.set('k', first);
    expect(await handler.get('k')).toEqual(first);
    await handler.set('k', entry('second'));
    expect(text(await handler.get('k'))).toBe('second');
  });

  it('getTagTimes: 0 without revalidations; the latest time over the tags; a later time wins', async () => {
    expect(await expiration(handler, [])).toBe(0);
    expect(await expiration(handler, ['a'])).toBe(0);
    await handler.updateTags(['a'], 100);
    await handler.updateTags(['b', 'c'], 200);
    expect(await expiration(handler, ['a', 'b'])).toBe(200);
    expect(await expiration(handler, ['a', 'zzz'])).toBe(100);
    await handler.updateTags(['a'], 300);
    expect(await expiration(handler, ['a'])).toBe(300);
    expect(await expiration(handler, ['c'])).toBe(200);
  });

  it('updateTags with durations (Next.js 16): stale from the time, expired at the deadline', async () => {
    expect(await handler.getTagTimes(['a', 'b'])).toEqual([
      { stale: 0, expired: 0 },
      { stale: 0, expired: 0 },
    ]);
    await handler.updateTags(['a'], 1_000, { expire: 60 });
    expect(await handler.getTagTimes(['a', 'b'])).toEqual([
      { stale: 1_000, expired: 61_000 },
      { stale: 0, expired: 0 },
    ]);
    // No expire: stale only, the deadline stays; a later deadline replaces an earlier one.
    await handler.updateTags(['a'], 2_000, {});
    expect(await handler.getTagTimes(['a'])).toEqual([{ stale: 2_000, expired: 61_000 }]);
    await handler.updateTags(['a'], 3_000, { expire: 0.5 });
    expect(await handler.getTagTimes(['a'])).toEqual([{ stale: 3_000, expired: 3_500 }]);
    // An immediate expiry replaces a deadline still ahead...
    await handler.updateTags(['b'], 4_000, { expire: 31_536_000 });
    await handler.updateTags(['b'], 5_000);
    expect(await handler.getTagTimes(['b'])).toEqual([{ stale: 5_000, expired: 5_000 }]);
    // ...but an older one (a slower clock elsewhere) never lowers an expiry in effect.
    await handler.updateTags(['b'], 4_500);
    expect(await handler.getTagTimes(['b'])).toEqual([{ stale: 5_000, expired: 5_000 }]);
    await expect(handler.updateTags(['b'], 6_000, { expire: -1 })).rejects.toThrow(TypeError);
  });

  it('through the runtime: revalidateTag(tag, profile) serves the stale value once, then the refreshed one', async () => {
    configureCache({ handlers: { default: handler } });
    let version = 1;
    let runs = 0;
    const post = cacheFunction(`contract-swr-${name}-${++counter}`, 'default', async () => {
      runs++;
      cacheTag('post');
      return version;
    });
    expect(await post()).toBe(1);
    await new Promise((r) => setTimeout(r, 2));
    version = 2;
    await revalidateTag('post', 'max');
    // A refresh started in the revalidation's millisecond would be stale too (and refreshed again).
    await new Promise((r) => setTimeout(r, 2));
    expect(await post()).toBe(1); // stale, not gone: served while a refresh runs
    await flush(); // the refresh and its write have reached the handler
    expect(runs).toBe(2);
    expect(await post()).toBe(2);
    expect(runs).toBe(2);
  });

  it('through the runtime: a fill, hits, and revalidateTag making the next call compute anew', async () => {
    configureCache({ handlers: { default: handler } });
    let runs = 0;
    const product = cacheFunction(`contract-${name}-${++counter}`, 'default', async (id: number) => {
      runs++;
      cacheTag('products', `product-${id}`);
      return { id, runs };
    });
    expect(await product(1)).toEqual({ id: 1, runs: 1 });
    expect(await product(1)).toEqual({ id: 1, runs: 1 });
    expect(await product(2)).toEqual({ id: 2, runs: 2 });
    expect(runs).toBe(2);
    await new Promise((r) => setTimeout(r, 2)); // the revalidation comes strictly after the fills
    await revalidateTag('product-1');
    expect(await product(1)).toEqual({ id: 1, runs: 3 });
    expect(await product(2)).toEqual({ id: 2, runs: 2 });
    expect(runs).toBe(3);
  });
});
