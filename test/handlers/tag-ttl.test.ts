// Redis tag keys are bounded (they get TTLs) and no revalidation is ever lost because of it: a tag
// key lives at least as long as every entry of its shard that carries the tag. Real redis-server;
// the invariant is read atomically (one Lua script per check). On a cluster: redis-cluster.test.ts.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisHandler, type RedisCacheHandler } from '../../src/runtime/handlers/redis.js';
import { standaloneLayout } from '../../src/runtime/handlers/redis-keys.js';
import { entry, expiration } from './support/entries.js';
import { requireRedisServer, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { checkInvariant, PTTLS } from './support/tag-ttl-invariant.js';

const available = requireRedisServer('tag key TTL tests');

describe.skipIf(!available)('Redis tag key TTLs', () => {
  let server: RedisServer;
  let raw: Redis;
  const handlers: RedisCacheHandler[] = [];
  let n = 0;
  const handler = (options: Parameters<typeof createRedisHandler>[0] = {}) => {
    const prefix = `ttl${process.pid}-${++n}:`;
    const h = createRedisHandler({ url: server.url, prefix, ...options });
    handlers.push(h);
    return { h, prefix };
  };
  const pttls = (keys: string[]) => raw.eval(PTTLS, keys.length, ...keys) as Promise<number[]>;

  beforeAll(async () => {
    server = await startRedisServer();
    raw = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  afterEach(async () => {
    await Promise.all(handlers.splice(0).map((x) => x.close()));
  });
  afterAll(async () => {
    raw?.disconnect();
    await server?.stop();
  });

  it('a tag key lives at least as long as every entry that carries it, whatever the order of writes', async () => {
    const { h, prefix } = handler({ tagMinTtlSeconds: 1 });
    await checkInvariant(h, pttls, standaloneLayout(prefix).shardOf);
  });

  it('never loses a revalidation: an entry revalidated stays revalidated until it expires', async () => {
    const { h, prefix } = handler({ tagMinTtlSeconds: 1 });
    const before = Date.now() - 10;
    await h.set('long', entry('v', ['t'], { expire: 3, timestamp: before }));
    await h.set('short', entry('v', ['t'], { expire: 1, timestamp: before }));
    const revalidated = Date.now();
    await h.updateTags(['t'], revalidated);
    // Past the floor (1 s) and the short entry's life: the long entry still reads as revalidated.
    for (const wait of [0, 1200, 1200]) {
      await new Promise((r) => setTimeout(r, wait));
      const got = await h.get('long');
      expect(got).toBeDefined();
      expect(await expiration(h, got!.tags)).toBe(revalidated);
    }
    // Once nothing carries it any more, the tag key is gone too (a second after its last entry): bounded.
    await new Promise((r) => setTimeout(r, 800));
    expect(await h.get('long')).toBeUndefined();
    const [tagTtl] = await pttls([`${prefix}t:t`]);
    expect(tagTtl).toBeLessThanOrEqual(1000);
    await new Promise((r) => setTimeout(r, tagTtl! + 50));
    expect(await raw.exists(`${prefix}t:t`)).toBe(0);
  });

  it('a fill that started before a revalidation and stores after it still reads as revalidated', async () => {
    const { h, prefix } = handler({ tagMinTtlSeconds: 2 });
    const fillStarted = Date.now() - 5;
    const revalidated = Date.now();
    await h.updateTags(['late'], revalidated); // no entry carries the tag yet: the floor keeps it
    await new Promise((r) => setTimeout(r, 1000));
    await h.set('slow-fill', entry('v', ['late'], { expire: 5, timestamp: fillStarted }));
    const got = await h.get('slow-fill');
    expect(await expiration(h, got!.tags)).toBe(revalidated);
    expect(got!.timestamp).toBeLessThanOrEqual(revalidated); // so the runtime treats it as revalidated
    const [entryTtl, tagTtl] = await pttls([`${prefix}e:slow-fill`, `${prefix}t:late`]);
    expect(tagTtl).toBeGreaterThanOrEqual(entryTtl!);
  });

  it('creates no tag key for an entry without tags, and keeps keys of older versions (no TTL) as they are', async () => {
    const { h, prefix } = handler();
    await h.set('plain', entry('v'));
    expect(await raw.keys(`${prefix}t:*`)).toEqual([]);
    await raw.set(`${prefix}t:old`, '123');
    await h.set('k', entry('v', ['old'], { expire: 60 }));
    await h.updateTags(['old'], 456);
    expect(await raw.pttl(`${prefix}t:old`)).toBe(-1);
    expect(await expiration(h, ['old'])).toBe(456);
  });
});
