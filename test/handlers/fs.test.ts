// The filesystem handler on a real temp directory, with real child processes.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createFsHandler, type FsCacheHandler } from '../../src/runtime/handlers/fs.js';
import { entry, expiration, text } from './support/entries.js';
import { startPeer, startRuntimePeer, type Peer } from './support/peer-process.js';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'use-cache-fs-'));
  dirs.push(dir);
  return dir;
};
const handlers: FsCacheHandler[] = [];
const handler = (options: Parameters<typeof createFsHandler>[0]) => {
  const h = createFsHandler(options);
  handlers.push(h);
  return h;
};
const entryFiles = (dir: string) => readdirSync(join(dir, 'entries'));
const dirBytes = (dir: string) => entryFiles(dir).reduce((n, f) => n + statSync(join(dir, 'entries', f)).size, 0);

afterEach(async () => {
  await Promise.all(handlers.splice(0).map((h) => h.close()));
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('filesystem handler', () => {
  it('round-trips binary bytes, tags and lives', async () => {
    const h = handler({ dir: freshDir() });
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    await h.set('k', entry(bytes, ['a', 'ü ✓'], { timestamp: 5.5, stale: 1, revalidate: 2, expire: 3 }));
    expect(await h.get('k')).toEqual({
      value: bytes,
      tags: ['a', 'ü ✓'],
      timestamp: 5.5,
      stale: 1,
      revalidate: 2,
      expire: 3,
    });
    expect(await h.get('other')).toBeUndefined();
    await h.set('k', entry('replaced'));
    expect(text(await h.get('k'))).toBe('replaced');
  });

  it('names files by a hash of the key and leaves no temp files behind', async () => {
    const dir = freshDir();
    const h = handler({ dir });
    await h.set('../../etc/passwd', entry('x'));
    await h.updateTags(['../../t', 'a/b'], 5);
    expect(entryFiles(dir)).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
    expect(readdirSync(join(dir, 'tags'))).toHaveLength(2);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    expect(text(await h.get('../../etc/passwd'))).toBe('x');
  });

  it('records tag revalidations and keeps the latest time', async () => {
    const h = handler({ dir: freshDir() });
    expect(await expiration(h, [])).toBe(0);
    expect(await expiration(h, ['a'])).toBe(0);
    await h.updateTags(['a', 'b'], 100);
    await h.updateTags(['b'], 300);
    await h.updateTags(['a'], 50);
    expect(await expiration(h, ['a'])).toBe(100);
    expect(await expiration(h, ['a', 'b', 'c'])).toBe(300);
  });

  it('reads a truncated or corrupted file as a miss (and removes it)', async () => {
    const dir = freshDir();
    const h = handler({ dir });
    await h.set('k', entry('some value that is long enough', ['t']));
    const [file] = entryFiles(dir);
    const path = join(dir, 'entries', file!);
    const good = readFileSync(path);
    for (const bad of [
      good.subarray(0, good.length - 1),
      good.subarray(0, 10),
      Buffer.alloc(0),
      Buffer.from('garbage'),
    ]) {
      writeFileSync(path, bad);
      expect(await h.get('k')).toBeUndefined();
    }
    const flipped = Buffer.from(good);
    flipped[20] ^= 1;
    writeFileSync(path, flipped);
    expect(await h.get('k')).toBeUndefined();
    expect(entryFiles(dir)).toEqual([]);
    await h.set('k', entry('again'));
    expect(text(await h.get('k'))).toBe('again');
  });

  it('stays inside maxBytes, evicting the least recently used entries', async () => {
    const dir = freshDir();
    const h = handler({ dir, maxBytes: 10_000 });
    const value = new Uint8Array(900);
    for (let i = 0; i < 5; i++) await h.set(`k${i}`, entry(value));
    await h.get('k0'); // k0 is now the most recently used
    for (let i = 5; i < 40; i++) {
      await h.set(`k${i}`, entry(value));
      expect(dirBytes(dir)).toBeLessThanOrEqual(10_000);
      if (i < 9) expect(await h.get('k0')).toBeDefined();
    }
    expect(h.indexedBytes).toBe(dirBytes(dir));
    expect(await h.get('k1')).toBeUndefined(); // evicted long ago
    expect(await h.get('k39')).toBeDefined();
    await h.set('too-big', entry(new Uint8Array(20_000)));
    expect(await h.get('too-big')).toBeUndefined();
  });

  it('rebuilds its index at start and applies the budget to what is already on disk', async () => {
    const dir = freshDir();
    const first = handler({ dir });
    for (let i = 0; i < 20; i++) await first.set(`k${i}`, entry(new Uint8Array(1000)));
    await first.close();
    // the index starts in modification-time order; file times are coarse, so spread them out
    const names = entryFiles(dir).map((f) => ({ f, t: 0 }));
    const byKey = new Map<string, string>();
    for (let i = 0; i < 20; i++) byKey.set(createHash('sha256').update(`k${i}`).digest('hex'), `k${i}`);
    for (const n of names) n.t = Number(byKey.get(n.f)!.slice(1));
    for (const { f, t } of names) utimesSync(join(dir, 'entries', f), 1_000_000 + t * 10, 1_000_000 + t * 10);
    const second = handler({ dir, maxBytes: 5_000 });
    expect(await expiration(second, [])).toBe(0); // waits for the scan
    expect(dirBytes(dir)).toBeLessThanOrEqual(5_000);
    expect(second.indexedBytes).toBe(dirBytes(dir));
    expect(await second.get('k19')).toBeDefined(); // newest kept
    expect(await second.get('k0')).toBeUndefined(); // oldest evicted
  });

  it('keeps working when its directory is removed under it', async () => {
    const dir = freshDir();
    const h = handler({ dir });
    await h.set('k', entry('v'));
    rmSync(dir, { recursive: true, force: true });
    expect(await h.get('k')).toBeUndefined();
    await h.set('k', entry('again', ['t']));
    await h.updateTags(['t'], 9);
    expect(text(await h.get('k'))).toBe('again');
    expect(await expiration(h, ['t'])).toBe(9);
  });

  it('removes temp files left by a crash when it starts', async () => {
    const dir = freshDir();
    const first = handler({ dir });
    await first.set('k', entry('v'));
    const leftover = join(dir, 'tmp', 'crashed.1');
    writeFileSync(leftover, 'half an entry');
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(leftover, old, old);
    const second = handler({ dir });
    expect(text(await second.get('k'))).toBe('v');
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  describe('across processes', () => {
    const peers: Peer[] = [];
    afterEach(async () => {
      await Promise.all(peers.splice(0).map((p) => p.close()));
    });

    it("a restarted process reads the first one's entries and tags", async () => {
      const dir = freshDir();
      const first = await startPeer('fs', { dir });
      peers.push(first);
      await first.call('set', {
        key: 'k',
        entry: { value: 'cafe', tags: ['posts'], timestamp: 1, stale: 2, revalidate: 3, expire: 4 },
      });
      await first.call('updateTags', { tags: ['posts'], timestamp: 1234 });
      await first.close();
      const second = await startPeer('fs', { dir });
      peers.push(second);
      expect(await second.call('get', { key: 'k' })).toEqual({
        value: 'cafe',
        tags: ['posts'],
        timestamp: 1,
        stale: 2,
        revalidate: 3,
        expire: 4,
      });
      expect(await second.call('expiration', { tags: ['posts'] })).toBe(1234);
      // and this process sees it too
      const h = handler({ dir });
      expect(await expiration(h, ['posts'])).toBe(1234);
    });

    it('two server processes share cached results and revalidations through the runtime', async () => {
      type Product = { id: number; computedBy: number; price: number };
      const dir = freshDir();
      const [a, b] = await Promise.all([startRuntimePeer('fs', { dir }), startRuntimePeer('fs', { dir })]);
      peers.push(a, b);
      const filled = await a.call<Product>('call', { product: 1 });
      expect(await b.call<Product>('call', { product: 1 })).toEqual(filled);
      expect(await b.call('bodies')).toEqual({ product: 0 });
      await new Promise((r) => setTimeout(r, 5));
      await b.call('revalidateTag', { tag: 'product-1' });
      await a.call('setPrice', { price: 20 });
      expect(await a.call<Product>('call', { product: 1 })).toMatchObject({ price: 20, computedBy: a.process.pid });
      expect(await a.call('bodies')).toEqual({ product: 2 });
      // a process started later (a restart) hits what they stored
      const c = await startRuntimePeer('fs', { dir });
      peers.push(c);
      expect(await c.call<Product>('call', { product: 1 })).toMatchObject({ price: 20, computedBy: a.process.pid });
      expect(await c.call('bodies')).toEqual({ product: 0 });
    });

    it('several processes writing and reading the same keys never read a broken entry', async () => {
      const dir = freshDir();
      const started = await Promise.all([0, 1, 2, 3].map(() => startPeer('fs', { dir })));
      peers.push(...started);
      const results = await Promise.all(
        started.map((p, writer) =>
          p.call<{ hits: number; misses: number; bad: number }>('stress', {
            writer,
            keys: 8,
            rounds: 300,
            bytes: 4000,
          }),
        ),
      );
      for (const r of results) expect(r.bad).toBe(0);
      expect(results.reduce((n, r) => n + r.hits, 0)).toBeGreaterThan(600);
      expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
      const h = handler({ dir });
      expect(await expiration(h, ['shared'])).toBeGreaterThan(0);
      for (let i = 0; i < 8; i++) expect(await h.get(`k${i}`)).toBeDefined();
    });
  });
});
