// The Redis handler against a real redis-server (a child process per file; no mocks).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisHandler, type RedisCacheHandler } from '../../src/runtime/handlers/redis.js';
import { entry, expiration, text } from './support/entries.js';
import { requireRedisServer, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { startPeer, startRuntimePeer, type Peer } from './support/peer-process.js';

const available = requireRedisServer('Redis handler tests');

let prefixCounter = 0;
const freshPrefix = () => `t${process.pid}-${++prefixCounter}:`;

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    let value: T | undefined;
    try {
      value = await probe();
      if (ok(value)) return value;
    } catch {
      // keep trying
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms (last: ${String(value)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!available)('Redis handler (real redis-server)', () => {
  let server: RedisServer;
  let raw: Redis;
  const handlers: RedisCacheHandler[] = [];
  const handler = (options: Parameters<typeof createRedisHandler>[0] = {}) => {
    const h = createRedisHandler({ url: server.url, prefix: freshPrefix(), ...options });
    handlers.push(h);
    return h;
  };

  beforeAll(async () => {
    server = await startRedisServer();
    raw = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    raw.on('error', () => {});
  });
  afterEach(async () => {
    await Promise.all(handlers.splice(0).map((h) => h.close()));
  });
  afterAll(async () => {
    raw?.disconnect();
    await server?.stop();
  });

  it('round-trips binary bytes, tags and lives exactly', async () => {
    const h = handler();
    const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const big = randomBytes(1 << 20);
    const tags = ['posts', 'ünïcødé ✓', 'with space', 'a:b:c', ''];
    await h.set('small', entry(allBytes, tags, { timestamp: 1234.5, stale: 1, revalidate: 2, expire: 3 }));
    await h.set('big', entry(big));
    const small = await h.get('small');
    expect(small).toEqual({ value: allBytes, tags, timestamp: 1234.5, stale: 1, revalidate: 2, expire: 3 });
    expect(Buffer.from((await h.get('big'))!.value).equals(big)).toBe(true);
    expect(await h.get('absent')).toBeUndefined();
    await h.set('small', entry('replaced'));
    expect(text(await h.get('small'))).toBe('replaced');
  });

  it('gives entries a Redis TTL from expire, capped for "never"', async () => {
    const prefix = freshPrefix();
    const h = handler({ prefix, maxTtlSeconds: 86_400 });
    await h.set('minute', entry('x', [], { expire: 60 }));
    await h.set('never', entry('x', [], { expire: 0xfffffffe }));
    await h.set('infinite', entry('x', [], { expire: Infinity }));
    await h.set('gone', entry('x', [], { expire: 0 }));
    const minute = await raw.pttl(`${prefix}e:minute`);
    expect(minute).toBeGreaterThan(58_000);
    expect(minute).toBeLessThanOrEqual(60_000);
    for (const key of ['never', 'infinite']) {
      const ttl = await raw.pttl(`${prefix}e:${key}`);
      expect(ttl).toBeGreaterThan(86_000_000);
      expect(ttl).toBeLessThanOrEqual(86_400_000);
    }
    expect(await raw.exists(`${prefix}e:gone`)).toBe(0);
    expect(await h.get('gone')).toBeUndefined();
    // a revalidated tag's key lives at least tagMinTtlSeconds (a day by default; see tag-ttl.test.ts)
    await h.updateTags(['t'], 1);
    expect(await raw.pttl(`${prefix}t:t`)).toBeGreaterThan(86_000_000);
  });

  it('stores "<expired> <stale>" per tag and reads a lone number (the older format) as an expiry', async () => {
    const prefix = freshPrefix();
    const h = handler({ prefix });
    await h.updateTags(['t'], 1_000, { expire: 60 });
    expect(await raw.get(`${prefix}t:t`)).toBe('61000 1000');
    await raw.set(`${prefix}t:old`, '1234');
    expect(await h.getTagTimes(['old'])).toEqual([{ stale: 1234, expired: 1234 }]);
    await h.updateTags(['old'], 2_000, { expire: 1 });
    expect(await h.getTagTimes(['old'])).toEqual([{ stale: 2_000, expired: 3_000 }]);
    await raw.set(`${prefix}t:bad`, 'soon');
    expect(await h.getTagTimes(['bad'])).toEqual([{ stale: 0, expired: 0 }]);
  });

  it('keeps handlers with different prefixes apart', async () => {
    const a = handler({ prefix: 'app-a:' });
    const b = handler({ prefix: 'app-b:' });
    await a.set('k', entry('from a', ['t']));
    expect(await b.get('k')).toBeUndefined();
    await b.set('k', entry('from b', ['t']));
    expect(text(await a.get('k'))).toBe('from a');
    await a.updateTags(['t'], 5_000);
    expect(await expiration(a, ['t'])).toBe(5_000);
    expect(await expiration(b, ['t'])).toBe(0);
    await raw.del('app-a:e:k', 'app-a:t:t', 'app-b:e:k');
  });

  it('escapes tag names so they cannot reach entry keys or other tags', async () => {
    const prefix = freshPrefix();
    const h = handler({ prefix });
    await h.set('victim', entry('safe'));
    const nasty = [
      'victim',
      `../e:victim`,
      `${prefix}e:victim`,
      'e:victim',
      'a b',
      'a%20b',
      '*',
      'x\r\nDEL y',
      'tag\u0000nul',
      '🎉',
    ];
    await h.updateTags(nasty, 7_000);
    expect(text(await h.get('victim'))).toBe('safe');
    const keys = (await raw.keys(`${prefix}*`)).sort();
    const tagKeys = keys.filter((k) => k !== `${prefix}e:victim`);
    expect(tagKeys).toHaveLength(nasty.length);
    for (const key of tagKeys) expect(key).toMatch(new RegExp(`^${prefix}t:[A-Za-z0-9._~%-]*$`));
    for (const tag of nasty) expect(await expiration(h, [tag])).toBe(7_000);
    // 'a b' and 'a%20b' are different tags: revalidating one leaves the other alone
    await h.updateTags(['a b'], 9_000);
    expect(await expiration(h, ['a%20b'])).toBe(7_000);
    expect(await expiration(h, ['a b'])).toBe(9_000);
  });

  it('records tag revalidations (latest time wins) and reports the max over tags', async () => {
    const h = handler();
    expect(await expiration(h, [])).toBe(0);
    expect(await expiration(h, ['a', 'b'])).toBe(0);
    await h.updateTags(['a'], 100);
    await h.updateTags(['b', 'c'], 300);
    expect(await expiration(h, ['a'])).toBe(100);
    expect(await expiration(h, ['a', 'b', 'zzz'])).toBe(300);
    await h.updateTags(['b'], 200); // an older time (e.g. a slower clock elsewhere) never lowers it
    expect(await expiration(h, ['b'])).toBe(300);
  });

  it('revalidates a tag in one command, whatever the number of entries', async () => {
    const h = handler();
    for (let i = 0; i < 500; i++) await h.set(`e${i}`, entry(`v${i}`, ['many']));
    await raw.config('RESETSTAT');
    await h.updateTags(['many', 'other'], 42);
    const info = await raw.info('commandstats');
    const calls = [...info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].filter(([, c]) => c !== 'info' && c !== 'config');
    // one script call (EVALSHA, or EVAL on first use) that SETs the two tag keys
    expect(calls.map(([, c, n]) => `${c}=${n}`).sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(evalsha|eval)=1$/), 'set=2']),
    );
    expect(calls.filter(([, c]) => c === 'set')[0]![2]).toBe('2');
    expect(await expiration(h, ['many'])).toBe(42);
  });

  it('answers a hit in one round trip: get + getTagTimes(entry.tags) in the same turn', async () => {
    const prefix = freshPrefix();
    const h = handler({ prefix });
    await h.set('k', entry('v', ['t1', 't2']));
    await h.updateTags(['t2'], 999);
    await h.get('k'); // loads the script
    const sent: string[] = [];
    const send = h.client.sendCommand.bind(h.client);
    h.client.sendCommand = ((command: { name: string }, stream?: never) => {
      sent.push(command.name.toLowerCase());
      return send(command as never, stream);
    }) as typeof h.client.sendCommand;
    const got = await h.get('k');
    expect(await expiration(h, got!.tags)).toBe(999);
    expect(sent).toEqual(['evalsha']);
    // a later turn asks Redis again (remembered timestamps live for one event-loop turn only)
    await new Promise((r) => setImmediate(r));
    await raw.set(`${prefix}t:t1`, '1500'); // a revalidation by another instance
    expect(await expiration(h, got!.tags)).toBe(1500);
    expect(sent).toEqual(['evalsha', 'mget']);
  });

  it('never answers getTagTimes from times older than a revalidation it made', async () => {
    const h = handler();
    await h.set('k', entry('v', ['t']));
    const got = await h.get('k');
    await h.updateTags(['t'], 5_000); // same turn chain as the get
    expect(await expiration(h, got!.tags)).toBe(5_000);
  });

  it('never reports a tag time older than a revalidation that completed before the get, under concurrency', async () => {
    const prefix = freshPrefix();
    const w = handler({ prefix });
    const r = handler({ prefix });
    const tags = Array.from({ length: 20 }, (_, i) => `tag-${i}`);
    await Promise.all(tags.map((tag, i) => w.set(`k${i}`, entry(`v${i}`, [tag, 'common']))));
    let violations = 0;
    await Promise.all(
      tags.map(async (tag, i) => {
        for (let round = 1; round <= 30; round++) {
          const time = round * 100 + i;
          await w.updateTags([tag], time); // completed before the reads below start
          // another entry's get lands in the same turn, remembering the times of other tags
          const [got] = await Promise.all([r.get(`k${i}`), r.get(`k${(i + 1) % tags.length}`)]);
          if ((await expiration(r, got!.tags)) < time) violations++;
        }
      }),
    );
    expect(violations).toBe(0);
  });

  it('reads a corrupt, truncated or foreign value as a miss (and says so in the debug log)', async () => {
    const prefix = freshPrefix();
    const messages: string[] = [];
    const h = handler({ prefix, debug: (m) => messages.push(m) });
    await h.set('good', entry('hello world', ['t']));
    const stored = (await raw.getBuffer(`${prefix}e:good`))!;
    const flipped = Buffer.from(stored);
    flipped[flipped.length - 3] ^= 0xff;
    const cases: Record<string, Buffer | string> = {
      garbage: 'not an entry at all',
      empty: '',
      short: Buffer.from([0, 0]),
      truncated: stored.subarray(0, stored.length - 5),
      flipped,
      hugeHeader: Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff]), stored.subarray(4)]),
    };
    for (const [key, value] of Object.entries(cases)) await raw.set(`${prefix}e:${key}`, value);
    for (const key of Object.keys(cases)) expect(await h.get(key), key).toBeUndefined();
    expect(messages.filter((m) => m.includes('corrupt entry'))).toHaveLength(Object.keys(cases).length);
    await raw.set(`${prefix}t:t`, 'not-a-number');
    expect(await expiration(h, ['t'])).toBe(0);
    expect(text(await h.get('good'))).toBe('hello world');
  });

  it('is not fooled by a tampered tag list in front of an intact entry', async () => {
    const prefix = freshPrefix();
    const h = handler({ prefix });
    await h.set('k', entry('v', ['t']));
    await h.updateTags(['t'], 50);
    const stored = (await raw.getBuffer(`${prefix}e:k`))!;
    await raw.set(`${prefix}e:k`, Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from('x y'), stored.subarray(5)]));
    const got = await h.get('k');
    expect(got?.tags).toEqual(['t']);
    expect(await expiration(h, got!.tags)).toBe(50);
  });

  it('fails fast while Redis is down and recovers when it returns', async () => {
    const h = handler({ timeoutMs: 300 });
    await h.set('k', entry('before'));
    expect(text(await h.get('k'))).toBe('before');
    await server.kill();
    // Each call rejects (a call that waited for Redis would time the test out); how fast is the
    // bench's figure, not a threshold here.
    for (const call of [
      () => h.get('k'),
      () => h.set('k', entry('during')),
      () => expiration(h, ['t']),
      () => h.updateTags(['t'], 1),
    ]) {
      await expect(call()).rejects.toThrow();
    }
    await server.start(); // same port, empty (no persistence)
    await eventually(
      () => h.set('k', entry('after')),
      () => true,
    );
    expect(text(await h.get('k'))).toBe('after');
    await h.updateTags(['t'], 77);
    expect(await expiration(h, ['t'])).toBe(77);
  });

  it('writes a revalidation made while Redis was down as soon as it is back', async () => {
    const prefix = freshPrefix();
    const h = handler({ prefix, timeoutMs: 300 });
    await h.set('k', entry('v', ['t']));
    await server.kill();
    await expect(h.updateTags(['t', 'u'], 4_000)).rejects.toThrow();
    expect(await expiration(h, ['t']).catch(() => 'down')).toBe('down');
    await server.start();
    const other = handler({ prefix }); // another instance, which never saw the revalidation
    await eventually(
      () => expiration(other, ['t', 'u']),
      (t) => t === 4_000,
    );
    expect(await expiration(other, ['u'])).toBe(4_000);
  });

  it('bounds every call by timeoutMs when the server is slow, then works again', async () => {
    const h = handler({ timeoutMs: 250 });
    await h.set('k', entry('v', ['t']));
    const sleeping = server.raw('DEBUG', 'SLEEP', '1.5');
    await new Promise((r) => setTimeout(r, 50));
    const calls = Promise.allSettled([
      h.get('k'),
      h.set('k2', entry('x')),
      expiration(h, ['t']),
      h.updateTags(['t'], 5),
    ]);
    // Every call gave up while the server was still asleep: bounded by timeoutMs, not by Redis.
    const first = await Promise.race([calls.then(() => 'calls settled'), sleeping.then(() => 'server woke')]);
    expect(first).toBe('calls settled');
    expect((await calls).every((r) => r.status === 'rejected')).toBe(true);
    await sleeping;
    await eventually(
      () => h.get('k'),
      (e) => text(e) === 'v',
    );
  });

  it('does not hang when Redis was never reachable', async () => {
    await server.kill();
    try {
      const h = handler({ timeoutMs: 200 });
      const results = await Promise.allSettled([
        h.get('k'),
        h.set('k', entry('x')),
        expiration(h, ['t']),
        h.updateTags(['t'], 1),
      ]);
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
    } finally {
      await server.start();
    }
  });

  it('uses a client it is given and leaves it open on close()', async () => {
    const client = new Redis(server.url);
    const prefix = freshPrefix();
    const h = createRedisHandler({ client, prefix });
    await h.set('k', entry('v'));
    expect(text(await h.get('k'))).toBe('v');
    await h.close();
    await expect(h.get('k')).rejects.toThrow(/closed/);
    expect(await client.exists(`${prefix}e:k`)).toBe(1);
    client.disconnect();
  });

  it('bounds calls on a given client with default ioredis options (offline queue on) too', async () => {
    const client = new Redis(server.url);
    client.on('error', () => {});
    const h = createRedisHandler({ client, prefix: freshPrefix(), timeoutMs: 300 });
    try {
      await h.set('k', entry('v'));
      await server.kill();
      // With the offline queue on, an unbounded call would wait for the reconnection forever.
      for (const call of [() => h.get('k'), () => h.updateTags(['t'], 1)]) {
        await expect(call()).rejects.toThrow();
      }
      await server.start();
      await eventually(
        () => h.set('k', entry('back')),
        () => true,
      );
      expect(text(await h.get('k'))).toBe('back');
    } finally {
      await h.close();
      client.disconnect();
    }
  });

  it('close() releases its own connection', async () => {
    const h = createRedisHandler({ url: server.url, prefix: freshPrefix() });
    await h.set('k', entry('v'));
    await h.close();
    expect(h.client.status).toBe('end');
    await expect(h.get('k')).rejects.toThrow(/closed/);
  });

  describe('two Node processes sharing one Redis', () => {
    let a: Peer;
    let b: Peer;
    const prefix = `peers-${process.pid}:`;
    beforeAll(async () => {
      [a, b] = await Promise.all([
        startPeer('redis', { url: server.url, prefix }),
        startPeer('redis', { url: server.url, prefix }),
      ]);
    });
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
    });

    it('fills in one and hits in the other', async () => {
      const value = randomBytes(2048).toString('hex');
      await a.call('set', {
        key: 'shared',
        entry: { value, tags: ['posts'], timestamp: 10, stale: 1, revalidate: 2, expire: 60 },
      });
      expect(await b.call('get', { key: 'shared' })).toEqual({
        value,
        tags: ['posts'],
        timestamp: 10,
        stale: 1,
        revalidate: 2,
        expire: 60,
      });
    });

    it('sees a revalidation made by the other', async () => {
      expect(await b.call('expiration', { tags: ['posts'] })).toBe(0);
      const now = Date.now();
      await a.call('updateTags', { tags: ['posts'], timestamp: now });
      expect(await b.call('expiration', { tags: ['posts', 'other'] })).toBe(now);
    });
  });

  describe('two server processes running a cached function through the runtime', () => {
    let a: Peer;
    let b: Peer;
    const prefix = `runtime-${process.pid}:`;
    type Product = { id: number; name: string; computedBy: number; price: number };
    beforeAll(async () => {
      [a, b] = await Promise.all([
        startRuntimePeer('redis', { url: server.url, prefix }),
        startRuntimePeer('redis', { url: server.url, prefix }),
      ]);
    });
    afterAll(async () => {
      await Promise.all([a?.close(), b?.close()]);
    });

    it('fills in one process and hits in the other (the body never runs there)', async () => {
      const first = await a.call<Product>('call', { product: 1 });
      expect(first).toMatchObject({ id: 1, name: 'Product 1', price: 10 });
      const second = await b.call<Product>('call', { product: 1 });
      expect(second).toEqual(first);
      expect(second.computedBy).toBe(a.process.pid);
      expect(await a.call('bodies')).toEqual({ product: 1 });
      expect(await b.call('bodies')).toEqual({ product: 0 });
    });

    it('revalidateTag in one process makes the other compute a fresh value', async () => {
      await b.call<Product>('call', { product: 2 }); // filled by b
      expect(await a.call<Product>('call', { product: 2 })).toMatchObject({ price: 10 });
      const bodiesBefore = await b.call<{ product: number }>('bodies');
      await new Promise((r) => setTimeout(r, 5)); // revalidation strictly after the fill's timestamp
      await a.call('revalidateTag', { tag: 'product-2' });
      await b.call('setPrice', { price: 12 });
      const fresh = await b.call<Product>('call', { product: 2 });
      expect(fresh).toMatchObject({ id: 2, price: 12, computedBy: b.process.pid });
      expect(await b.call('bodies')).toEqual({ product: bodiesBefore.product + 1 });
      // and a, which never revalidated locally, now hits b's fresh value
      await a.call('setPrice', { price: 99 });
      expect(await a.call<Product>('call', { product: 2 })).toEqual(fresh);
      // the untouched entry of product 1 is still shared
      expect(await b.call<Product>('call', { product: 1 })).toMatchObject({ computedBy: a.process.pid });
    });

    it("revalidateTag(tag, 'max') in one process: the other serves the stale value once, then the refreshed one", async () => {
      await b.call<Product>('call', { product: 7 }); // filled by b
      const old = await a.call<Product>('call', { product: 7 });
      const bodiesBefore = await b.call<{ product: number }>('bodies');
      await new Promise((r) => setTimeout(r, 5)); // revalidation strictly after the fill's timestamp
      await a.call('revalidateTag', { tag: 'product-7', profile: 'max' });
      await b.call('setPrice', { price: 14 });
      // Stale, not gone: b answers at once with the old value and refreshes it in the background.
      expect(await b.call<Product>('call', { product: 7 })).toEqual(old);
      const fresh = await eventually(
        () => b.call<Product>('call', { product: 7 }),
        (value) => value.price === 14,
      );
      expect(fresh).toMatchObject({ id: 7, computedBy: b.process.pid });
      expect(await b.call('bodies')).toEqual({ product: bodiesBefore.product + 1 });
      // and a, which revalidated, now hits b's refreshed value
      expect(await a.call<Product>('call', { product: 7 })).toEqual(fresh);
    });

    it('still returns computed values, quickly, while Redis is down or slow, and caches again after', async () => {
      await server.kill();
      try {
        expect(await a.call<Product>('call', { product: 3 })).toMatchObject({ id: 3, computedBy: a.process.pid });
      } finally {
        await server.start();
      }
      const sleeping = server.raw('DEBUG', 'SLEEP', '2');
      await new Promise((r) => setTimeout(r, 50));
      // The call answers while the server still sleeps: timeoutMs per handler call, not the sleep.
      const slow = a.call<Product>('call', { product: 5 });
      expect(await Promise.race([slow.then(() => 'answered'), sleeping.then(() => 'server woke')])).toBe('answered');
      expect(await slow).toMatchObject({ id: 5 });
      await sleeping;
      // back to normal: a fill in one process is a hit in the other
      await eventually(
        async () => {
          await a.call('call', { product: 6 });
          const before = await b.call<{ product: number }>('bodies');
          await b.call('call', { product: 6 });
          return (await b.call<{ product: number }>('bodies')).product - before.product;
        },
        (ran) => ran === 0,
      );
    });
  });
});
