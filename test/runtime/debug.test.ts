import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cacheFunction, cacheLife, cacheTag, configureCache, resetCache, updateTag } from '../../src/runtime/index.js';
import { captureDebug, settle, uid, useFakeClock } from './helpers.js';

const original = process.env.USE_CACHE_DEBUG;
beforeEach(() => {
  delete process.env.USE_CACHE_DEBUG;
  resetCache();
});
afterEach(() => {
  vi.restoreAllMocks();
  if (original === undefined) delete process.env.USE_CACHE_DEBUG;
  else process.env.USE_CACHE_DEBUG = original;
  resetCache();
});

async function exercise() {
  const clock = useFakeClock();
  const f = cacheFunction(uid(), 'default', async function loadPosts(x: number) {
    cacheLife({ revalidate: 10, expire: 100 });
    cacheTag('posts');
    return x;
  });
  await f(1); // miss + fill
  await f(1); // hit
  clock.advance(20_000);
  await f(1); // stale + background refresh
  await settle();
  await updateTag('posts'); // invalidate
  await f(1); // miss (revalidated)
}

describe('debug log', () => {
  it('is off by default', async () => {
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await exercise();
    expect(write).not.toHaveBeenCalled();
  });

  it('USE_CACHE_DEBUG=1 logs hits, misses, fills, stale serves, refreshes and invalidations to stderr', async () => {
    process.env.USE_CACHE_DEBUG = '1';
    resetCache(); // the variable is read at start-up and on reset
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    await exercise();
    const events = lines.map((l) => l.split(' ')[1]);
    expect(lines.every((l) => l.startsWith('[use-cache] '))).toBe(true);
    expect(events).toEqual(['miss', 'fill', 'hit', 'stale', 'fill', 'revalidate', 'miss', 'fill']);
    expect(lines[0]).toMatch(/^\[use-cache\] miss loadPosts key=[0-9a-f]{12}\n$/);
    expect(lines.find((l) => l.includes('revalidate'))).toMatch(/tags=\["posts"\]/);
    expect(lines[1]).toMatch(/^\[use-cache\] fill loadPosts key=[0-9a-f]{12} \d+ bytes in [\d.]+ ms\n$/);
    expect(lines.at(-2)).toMatch(/\(revalidated\)/);
  });

  it('configureCache({ debug }) takes a sink function, true or false', async () => {
    const lines = captureDebug();
    await exercise();
    expect(lines.length).toBeGreaterThan(5);
    configureCache({ debug: false });
    process.env.USE_CACHE_DEBUG = '1';
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await exercise();
    expect(write).not.toHaveBeenCalled();
    configureCache({
      debug: () => {
        throw new Error('a broken sink never fails a call');
      },
    });
    await exercise();
  });
});
