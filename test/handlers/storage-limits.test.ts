// Bounded storage in the Redis and filesystem handlers: `maxEntryBytes` and `compress`, against a
// real redis-server and a real directory, plus the runtime's side of the size cap.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cacheFunction, configureCache, resetCache } from '../../src/runtime/index.js';
import { createFsHandler } from '../../src/runtime/handlers/fs.js';
import { createRedisHandler } from '../../src/runtime/handlers/redis.js';
import { DEFAULT_MAX_ENTRY_BYTES } from '../../src/runtime/handlers/stored-entry.js';
import type { CacheEntry, CacheHandler } from '../../src/runtime/handlers/types.js';
import { requireRedisServer, startRedisServer, type RedisServer } from '../support/redis-server.js';
import { entry } from './support/entries.js';

const redisAvailable = requireRedisServer('storage limit tests');

/** A component-like payload: repetitive markup with some unique ids (compresses as real HTML does). */
function payload(bytes: number): Uint8Array {
  let out = '';
  for (let i = 0; out.length < bytes; i++) {
    out += `<li class="product-card" data-id="${i}"><a href="/p/${i}">Product ${i}</a><span>${(i * 7) % 100}.99</span></li>`;
  }
  return new TextEncoder().encode(out.slice(0, bytes));
}

interface Backend {
  make(options: { compress?: boolean; maxEntryBytes?: number; debug?: (m: string) => void }): CacheHandler;
  /** Bytes stored for `key` by the last handler made. */
  storedBytes(key: string): Promise<number>;
  /** Replace what is stored for `key` by `bytes` (as a forger with access to the store would). */
  forge(key: string, bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}

const dirs: string[] = [];
function fsBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'use-cache-limits-'));
  dirs.push(dir);
  const made: CacheHandler[] = [];
  const file = (key: string) => join(dir, 'entries', createHash('sha256').update(key).digest('hex'));
  return {
    make: (options) => {
      const h = createFsHandler({ dir, ...options });
      made.push(h);
      return h;
    },
    storedBytes: async (key) => statSync(file(key)).size,
    forge: async (key, bytes) => writeFileSync(file(key), bytes),
    close: async () => {
      for (const h of made) await h.close?.();
    },
  };
}

function redisBackend(server: () => RedisServer, raw: () => Redis): Backend {
  const prefix = `limits-${Math.random().toString(36).slice(2)}:`;
  const made: CacheHandler[] = [];
  return {
    make: (options) => {
      const h = createRedisHandler({ url: server().url, prefix, ...options });
      made.push(h);
      return h;
    },
    storedBytes: (key) => raw().strlen(`${prefix}e:${key}`),
    forge: async (key, bytes) => {
      // The handler's framing: u32 length of the tag list (none here) in front of the entry.
      await raw().set(`${prefix}e:${key}`, Buffer.concat([Buffer.alloc(4), bytes]));
    },
    close: async () => {
      for (const h of made) await h.close?.();
    },
  };
}

let server: RedisServer;
let raw: Redis;
beforeAll(async () => {
  if (!redisAvailable) return;
  server = await startRedisServer();
  raw = new Redis(server.url, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  raw?.disconnect();
  await server?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const backends: [string, () => Backend][] = [['filesystem', fsBackend]];
if (redisAvailable)
  backends.push([
    'redis',
    () =>
      redisBackend(
        () => server,
        () => raw,
      ),
  ]);

describe.each(backends)('%s handler', (_name, makeBackend) => {
  let backend: Backend;
  beforeEach(() => {
    backend = makeBackend();
    return () => backend.close();
  });

  it(`stores values up to maxEntryBytes (default ${DEFAULT_MAX_ENTRY_BYTES}) and drops larger ones with a debug line`, async () => {
    const lines: string[] = [];
    const h = backend.make({ maxEntryBytes: 1000, debug: (m) => lines.push(m) });
    expect(h.maxEntryBytes).toBe(1000);
    expect(backend.make({}).maxEntryBytes).toBe(DEFAULT_MAX_ENTRY_BYTES);
    await h.set('fits', entry(new Uint8Array(1000)));
    await h.set('too-big', entry(new Uint8Array(1001)));
    expect((await h.get('fits'))?.value.byteLength).toBe(1000);
    expect(await h.get('too-big')).toBeUndefined();
    expect(lines.filter((l) => l.includes('maxEntryBytes'))).toEqual([
      expect.stringMatching(/1001 bytes is over maxEntryBytes \(1000\): not stored/),
    ]);
    expect(() => backend.make({ maxEntryBytes: 0 })).toThrow(/maxEntryBytes/);
  });

  it('compress: true stores a 100 KB component payload in far fewer bytes and reads it back exactly', async () => {
    const value = payload(100 * 1024);
    const plain = backend.make({});
    await plain.set('page', entry(value, ['products']));
    const plainBytes = await backend.storedBytes('page');
    const zipped = backend.make({ compress: true });
    await zipped.set('page', entry(value, ['products']));
    const zippedBytes = await backend.storedBytes('page');
    expect(zippedBytes).toBeLessThan(plainBytes / 4);
    // (Buffer.equals: vitest's deep equality walks 100 KB one element at a time)
    const same = (got: CacheEntry | undefined, tags: string[]) =>
      got !== undefined && Buffer.from(got.value).equals(value) && JSON.stringify(got.tags) === JSON.stringify(tags);
    expect(same(await zipped.get('page'), ['products'])).toBe(true);
    // Either setting reads both forms: a fleet can switch compression on one instance at a time.
    expect(same(await plain.get('page'), ['products'])).toBe(true);
    await plain.set('page', entry(value));
    expect(same(await zipped.get('page'), [])).toBe(true);
    expect(() => backend.make({ compress: 'yes' as unknown as boolean })).toThrow(/compress/);
  });

  it('keeps incompressible values as they are (no growth)', async () => {
    const value = randomBytes(20_000);
    const h = backend.make({ compress: true });
    await h.set('noise', entry(value));
    expect(await backend.storedBytes('noise')).toBeLessThan(value.length + 200);
    expect(Buffer.from((await h.get('noise'))!.value).equals(value)).toBe(true);
  });

  it('reads forged compressed entries as a miss: tampered, truncated, or inflating past the cap', async () => {
    const h = backend.make({ compress: true, maxEntryBytes: 64 * 1024 });
    const magic = Buffer.from('UCZ\x01', 'latin1');
    await h.set('k', entry(payload(10_000)));
    const bomb = Buffer.concat([magic, deflateRawSync(Buffer.alloc(64 * 1024 * 1024))]); // 64 MiB of zeros
    const forgeries = [
      bomb,
      Buffer.concat([magic, randomBytes(500)]),
      Buffer.concat([magic, deflateRawSync(Buffer.from('not an entry'))]),
      magic,
    ];
    for (const forged of forgeries) {
      await backend.forge('k', forged);
      expect(await h.get('k')).toBeUndefined();
    }
  });
});

describe('the runtime and maxEntryBytes', () => {
  beforeEach(() => resetCache());

  it('returns a larger result to every caller, does not store it, and names the function and the size once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'use-cache-limits-runtime-'));
    dirs.push(dir);
    const handler = createFsHandler({ dir, maxEntryBytes: 2000 });
    const lines: string[] = [];
    configureCache({ handlers: { default: handler }, debug: (line) => lines.push(line) });
    let runs = 0;
    const bigPage = cacheFunction('limits-big-page', 'default', async function bigPage(n: number) {
      runs++;
      return 'x'.repeat(n);
    });
    expect(await bigPage(5000)).toBe('x'.repeat(5000));
    expect(await bigPage(5000)).toBe('x'.repeat(5000));
    expect(runs).toBe(2); // not stored: computed again
    const oversized = lines.filter((l) => l.includes('maxEntryBytes'));
    expect(oversized).toHaveLength(2); // one line per fill
    expect(oversized[0]).toMatch(
      /bigPage key=[0-9a-f]{12} returned \d{4} bytes, over the handler's maxEntryBytes \(2000\): not stored/,
    );
    expect(readdirSync(join(dir, 'entries'))).toEqual([]);
    // A small one is stored as usual.
    expect(await bigPage(10)).toBe('x'.repeat(10));
    expect(await bigPage(10)).toBe('x'.repeat(10));
    expect(runs).toBe(3);
    await handler.close();
  });
});
