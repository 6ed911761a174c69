// The Redis handler on a real Redis Cluster: 3 masters on loopback (test/support/redis-cluster.ts:
// the one `.ci/run` started, or one this file starts itself).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisHandler, type RedisCacheHandler } from '../../src/runtime/handlers/redis.js';
import { clusterLayout, keySlot } from '../../src/runtime/handlers/redis-keys.js';
import { checkInvariant, PTTLS } from './support/tag-ttl-invariant.js';
import { handlerFor } from '../../src/runtime/config.js';
import { cacheFunction, resetCache } from '../../src/runtime/index.js';
import { codeBlocks, readDoc, REPO, section } from '../support/readme.js';
import { entry, expiration, text } from './support/entries.js';
import { redisCliInstalled, useRedisCluster, type RedisCluster } from '../support/redis-cluster.js';
import { requireRedisServer } from '../support/redis-server.js';
import { startRuntimePeer, type Peer } from './support/peer-process.js';
import { coldId, expectOneExecution, expectTakeOverAfterLease } from './support/single-flight.js';

const available = requireRedisServer('Redis Cluster tests') && redisCliInstalled;

let prefixCounter = 0;
const freshPrefix = () => `cl${process.pid}-${++prefixCounter}:`;

type Product = { id: number; name: string; computedBy: number; price: number };

describe.skipIf(!available)('Redis handler on a Redis Cluster (3 masters)', () => {
  let cluster: RedisCluster;
  /** One plain connection per master, to look at what each one holds. */
  let masters: Redis[] = [];
  const handlers: RedisCacheHandler[] = [];
  const handler = (options: Parameters<typeof createRedisHandler>[0] = {}) => {
    const h = createRedisHandler({ cluster: cluster.urls, prefix: freshPrefix(), ...options });
    handlers.push(h);
    return h;
  };
  /** Sum of one command's calls over the masters (INFO commandstats), and the errors seen. */
  const stats = async () => {
    const infos = await Promise.all(masters.map((m) => m.info('commandstats')));
    const errors = await Promise.all(masters.map((m) => m.info('errorstats')));
    const calls = (command: string) =>
      infos.reduce((sum, info) => sum + Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0), 0);
    return { calls, errors: errors.join('\n') };
  };
  const resetStats = () => Promise.all(masters.map((m) => m.config('RESETSTAT')));

  beforeAll(async () => {
    cluster = await useRedisCluster();
    masters = cluster.urls.map((url) => new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 200 }));
    for (const m of masters) m.on('error', () => {});
  });
  afterEach(async () => {
    await Promise.all(handlers.splice(0).map((h) => h.close()));
  });
  afterAll(async () => {
    for (const m of masters) m.disconnect();
    cluster?.release();
  });

  it('computes slots as Redis does', () => {
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('123456789')).toBe(12739);
  });

  it('round-trips entries whose keys live on every master, and tells them apart', async () => {
    const h = handler();
    for (let i = 0; i < 60; i++) await h.set(`k${i}`, entry(`v${i}`, ['all', `t${i}`]));
    for (let i = 0; i < 60; i++) {
      const got = await h.get(`k${i}`);
      expect(text(got)).toBe(`v${i}`);
      expect(got!.tags).toEqual(['all', `t${i}`]);
    }
    expect(await h.get('absent')).toBeUndefined();
    const sizes = await Promise.all(masters.map((m) => m.dbsize()));
    for (const size of sizes) expect(size).toBeGreaterThan(0); // spread, not one hot slot
  });

  it('answers a hit in one single-slot script, with no cross-slot command and no KEYS', async () => {
    const h = handler();
    await h.set('page', entry('html', ['posts', 'users']));
    await h.updateTags(['other'], 5);
    await h.get('page'); // the script is now cached on its node (EVALSHA, no NOSCRIPT retry)
    await resetStats();
    const got = await h.get('page');
    expect(await expiration(h, got!.tags)).toBe(0);
    const { calls, errors } = await stats();
    expect(calls('evalsha') + calls('eval')).toBe(1);
    // ... whose GET and MGET (counted by Redis too) are the only reads: getTagTimes sent none.
    expect([calls('get'), calls('mget')]).toEqual([1, 1]);
    expect(calls('keys') + calls('scan')).toBe(0);
    expect(errors).not.toMatch(/CROSSSLOT/);
  });

  it('revalidateTag reaches entries on every slot, seen by a handler with no local state', async () => {
    const prefix = freshPrefix();
    const writer = handler({ prefix });
    for (let i = 0; i < 60; i++) await writer.set(`k${i}`, entry(`v${i}`, ['shared', `own${i}`]));
    await writer.updateTags(['shared'], 4242);
    const reader = handler({ prefix });
    for (let i = 0; i < 60; i++) {
      const got = await reader.get(`k${i}`);
      expect(await expiration(reader, got!.tags)).toBe(4242);
    }
    expect(await expiration(reader, ['shared'])).toBe(4242);
    expect(await expiration(reader, [`own3`])).toBe(0);
    expect((await stats()).errors).not.toMatch(/CROSSSLOT/);
  });

  it('works with an ioredis Cluster passed as client (and leaves it open)', async () => {
    const client = new Cluster(cluster.urls);
    try {
      const h = handler({ client });
      await h.set('x', entry('from a client', ['t']));
      expect(text(await h.get('x'))).toBe('from a client');
      await h.updateTags(['t'], 7);
      expect(await expiration(h, ['t'])).toBe(7);
      const lease = await h.acquireLease!('x');
      expect(lease.token).toEqual(expect.any(String));
      expect((await h.acquireLease!('x')).token).toBeUndefined();
      await h.close();
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('runs the "Running on a cluster" recipe of docs/handlers.md as written', async () => {
    const recipe = codeBlocks(section(readDoc('docs/handlers.md'), 'Running on a cluster'))[0]!.code;
    mkdirSync(join(REPO, 'test/.out'), { recursive: true });
    const file = join(REPO, 'test/.out', `cluster-recipe-${process.pid}.mjs`);
    writeFileSync(file, recipe);
    process.env.REDIS_CLUSTER_NODES = cluster.urls.join(',');
    resetCache();
    try {
      await import(pathToFileURL(file).href);
      let runs = 0;
      const product = cacheFunction('docs-cluster-recipe', 'default', async (id: number) => ({ id, run: ++runs }));
      expect(await product(1)).toEqual({ id: 1, run: 1 });
      // Stored on the cluster under the recipe's prefix (in a hash-tagged shard), and a hit after.
      const stored = async () => (await Promise.all(masters.map((m) => m.keys('shop:*')))).flat();
      for (let i = 0; i < 100 && !(await stored()).some((k) => k.includes('}e:')); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect((await stored()).some((k) => k.startsWith('shop:{') && k.includes('}e:'))).toBe(true);
      expect(await product(1)).toEqual({ id: 1, run: 1 });
    } finally {
      await handlerFor('default').close?.();
      resetCache();
      rmSync(file, { force: true });
      delete process.env.REDIS_CLUSTER_NODES;
    }
  });

  it('keeps every tag key alive as long as the entries of its shard that carry the tag', async () => {
    const prefix = freshPrefix();
    const h = handler({ prefix, tagMinTtlSeconds: 1 });
    const client = h.client;
    await checkInvariant(
      h,
      (keys) => client.eval(PTTLS, keys.length, ...keys) as Promise<number[]>,
      clusterLayout(prefix, 16).shardOf,
    );
  });

  describe('server processes sharing the cluster', () => {
    const prefix = `cluster-runtime-${process.pid}:`;
    let a: Peer;
    let b: Peer;
    const timeoutMs = 400;
    beforeAll(async () => {
      [a, b] = await Promise.all(
        [0, 1].map(() => startRuntimePeer('redis', { cluster: cluster.urls, prefix, timeoutMs, leaseMs: 1500 })),
      );
    });
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
    });

    it('fills in one and hits in the other; revalidateTag in one makes the other compute anew', async () => {
      const first = await a.call<Product>('call', { product: 1 });
      expect(await b.call<Product>('call', { product: 1 })).toEqual(first);
      expect(await b.call('bodies')).toMatchObject({ product: 0 });
      await new Promise((r) => setTimeout(r, 5));
      await b.call('revalidateTag', { tag: 'products' });
      await a.call('setPrice', { price: 11 });
      const fresh = await a.call<Product>('call', { product: 1 });
      expect(fresh).toMatchObject({ price: 11, computedBy: a.process.pid });
      expect(await b.call<Product>('call', { product: 1 })).toEqual(fresh);
    });

    it('2 processes x 20 concurrent cold calls on one key: 1 execution in total', async () => {
      await expectOneExecution([a, b], 20);
    });

    it('the lease holder killed mid-fill: another process computes after at most the lease time', async () => {
      const doomed = await startRuntimePeer('redis', { cluster: cluster.urls, prefix, timeoutMs, leaseMs: 1500 });
      await expectTakeOverAfterLease(doomed, b, 1500, 200);
    });

    it('a master killed mid-run: every call answers within timeoutMs, hits resume after it returns', async () => {
      // Keys on every master, filled by a and read by b.
      const products = Array.from({ length: 12 }, () => coldId());
      for (const product of products) await a.call('call', { product });
      const port = cluster.ports[0]!;
      await cluster.kill(port);
      try {
        // Every call answers (one waiting for the dead master would time the test out).
        for (const product of products) {
          expect(await b.call<Product>('call', { product })).toMatchObject({ id: product });
        }
      } finally {
        await cluster.start(port);
      }
      // After it is back (empty): a fill in one process is a hit in the other again, on every master.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const fresh = Array.from({ length: 12 }, () => coldId());
        for (const product of fresh) await a.call('call', { product });
        const before = await b.call<{ product: number }>('bodies');
        for (const product of fresh) await b.call('call', { product });
        const ran = (await b.call<{ product: number }>('bodies')).product - before.product;
        if (ran === 0) break;
        if (Date.now() > deadline) throw new Error(`hits did not resume: ${ran} of 12 computed again`);
        await new Promise((r) => setTimeout(r, 200));
      }
    });
  });
});
