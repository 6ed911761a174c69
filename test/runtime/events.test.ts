// onCacheEvent, cacheStats and the events behind the debug log.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cacheFunction,
  cacheLife,
  cacheStats,
  cacheTag,
  configureCache,
  onCacheEvent,
  resetCache,
  updateTag,
  withRequestScope,
  type CacheEvent,
  type CacheHandler,
} from '../../src/runtime/index.js';
import { createFsHandler } from '../../src/runtime/handlers/fs.js';
import { createMemoryHandler } from '../../src/runtime/handlers/memory.js';
import { captureDebug, settle, uid, useFakeClock } from './helpers.js';

const dirs: string[] = [];
beforeEach(() => resetCache());
afterEach(() => resetCache());
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function record(): CacheEvent[] {
  const events: CacheEvent[] = [];
  onCacheEvent((event) => events.push(event));
  return events;
}

const SECRET = 'alice@example.com';

describe('onCacheEvent', () => {
  it('tells miss, fill, hit, stale, revalidate with the function, kind, handler, key digest and time', async () => {
    const clock = useFakeClock();
    const events = record();
    const id = uid();
    const profile = cacheFunction(id, 'default', async function loadProfile(email: string) {
      cacheLife({ revalidate: 10, expire: 100 });
      cacheTag('profiles');
      return { email, secretNote: `note for ${email}` };
    });
    const before = Date.now();
    await profile(SECRET); // miss + fill
    await profile(SECRET); // hit
    clock.advance(20_000);
    await profile(SECRET); // stale + background fill
    await settle();
    await updateTag('profiles');
    await profile(SECRET); // miss (revalidated) + fill
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ['miss', 'absent'],
      ['fill', undefined],
      ['hit', undefined],
      ['stale', undefined],
      ['fill', undefined],
      ['revalidate', 'expired'],
      ['miss', 'revalidated'],
      ['fill', undefined],
    ]);
    const [miss, fill] = events;
    expect(miss).toMatchObject({ name: 'loadProfile', id, kind: 'default', handler: 'memory' });
    expect(miss!.key).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(events.filter((e) => e.key).map((e) => e.key))).toEqual(new Set([miss!.key]));
    expect(miss!.time).toBeGreaterThanOrEqual(before);
    expect(fill!.bytes).toBeGreaterThan(SECRET.length);
    expect(fill!.durationMs).toBeGreaterThanOrEqual(0);
    expect(events[5]).toMatchObject({ type: 'revalidate', tags: ['profiles'] });
    // Never the arguments or the value.
    expect(JSON.stringify(events)).not.toContain('alice');
  });

  it('unsubscribes; a listener that throws breaks nothing and the others still hear', async () => {
    const heard: string[] = [];
    onCacheEvent(() => {
      throw new Error('broken listener');
    });
    const stop = onCacheEvent((e) => heard.push(e.type));
    const f = cacheFunction(uid(), 'default', async (x: number) => x * 2);
    expect(await f(2)).toBe(4);
    stop();
    stop(); // twice is harmless
    expect(await f(2)).toBe(4);
    expect(heard).toEqual(['miss', 'fill']);
    expect(() => onCacheEvent('nope' as never)).toThrow(/expected a function/);
  });

  it('join: calls that wait for another call’s fill', async () => {
    const events = record();
    // The fill finishes once the other two calls have joined it.
    let joins = 0;
    let bothJoined!: () => void;
    const joined = new Promise<void>((resolve) => (bothJoined = resolve));
    onCacheEvent((event) => {
      if (event.type === 'join' && ++joins === 2) bothJoined();
    });
    const slow = cacheFunction(uid(), 'default', async () => {
      await joined;
      return 1;
    });
    await Promise.all([slow(), slow(), slow()]);
    expect(events.map((e) => e.type).sort()).toEqual(['fill', 'join', 'join', 'miss', 'miss', 'miss']);
  });

  it('error: from the body (rethrown to the caller) and from a failing handler (the call still works)', async () => {
    const events = record();
    const failing = cacheFunction(uid(), 'default', async () => {
      throw new Error(`no profile for ${SECRET}`);
    });
    await expect(failing()).rejects.toThrow(/no profile/);
    const broken: CacheHandler = {
      get: () => Promise.reject(new Error('redis down')),
      set: () => Promise.reject(new Error('redis down')),
      getTagTimes: async () => [],
      updateTags: async () => {},
    };
    configureCache({ handlers: { default: broken } });
    expect(await cacheFunction(uid(), 'default', async () => 'ok')()).toBe('ok');
    const errors = events.filter((e) => e.type === 'error');
    expect(errors.map((e) => [e.reason, e.op, e.handler])).toEqual([
      ['body', undefined, 'memory'],
      ['handler', 'get', 'custom'],
      ['handler', 'set', 'custom'],
    ]);
    expect((errors[0]!.error as Error).message).toMatch(/no profile/);
  });

  it('skip: a value over the handler’s maxEntryBytes; evict: the memory handler’s LRU', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'use-cache-events-'));
    dirs.push(dir);
    const events = record();
    configureCache({ handlers: { default: createFsHandler({ dir, maxEntryBytes: 100 }) } });
    await cacheFunction(uid(), 'default', async () => 'x'.repeat(500))();
    expect(events.find((e) => e.type === 'skip')).toMatchObject({ reason: 'too-large', limit: 100, handler: 'fs' });

    configureCache({ handlers: { default: createMemoryHandler({ maxBytes: 4000 }) } });
    const big = cacheFunction(uid(), 'default', async (n: number) => 'y'.repeat(1000 + n));
    for (let n = 0; n < 6; n++) await big(n);
    const evicted = events.filter((e) => e.type === 'evict');
    expect(evicted.length).toBeGreaterThan(0);
    expect(evicted[0]).toMatchObject({ handler: 'memory', reason: 'lru' });
    expect(evicted[0]!.key).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('skip events: what the cache did not read or store, and why', () => {
  it('draft mode: a miss of reason draft-mode, the fill, then a skip with the bytes not stored', async () => {
    const events = record();
    const lines = captureDebug();
    const fn = cacheFunction(uid(), 'default', async function draftable(x: string) {
      return x.repeat(10);
    });
    await withRequestScope(() => fn('a'), { draftMode: true });
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ['miss', 'draft-mode'],
      ['fill', undefined],
      ['skip', 'draft-mode'],
    ]);
    const skip = events[2]!;
    expect(skip).toMatchObject({ name: 'draftable', kind: 'default', handler: 'draft', bytes: events[1]!.bytes });
    expect(skip.key).toBe(events[0]!.key);
    // Nothing stored, so nothing counted as stored.
    expect(cacheStats().total).toMatchObject({ misses: 1, fills: 1, bytesStored: 0 });
    expect(lines.filter((l) => l.startsWith('[use-cache] skip'))).toEqual([
      expect.stringMatching(
        /^\[use-cache\] skip draftable key=[0-9a-f]{12} \d+ bytes \(draft mode: nothing read, nothing stored\)$/,
      ),
    ]);
  });

  it("'use cache: private' outside withRequestScope: a skip without a key (none is computed)", async () => {
    const events = record();
    const lines = captureDebug();
    const fn = cacheFunction(uid(), 'private', async function whoAmI(user: string) {
      return user;
    });
    expect(await fn(SECRET)).toBe(SECRET);
    expect(events).toEqual([
      expect.objectContaining({ type: 'skip', reason: 'private-outside-scope', name: 'whoAmI', kind: 'private' }),
    ]);
    expect(events[0]).not.toHaveProperty('key');
    expect(JSON.stringify(events)).not.toContain(SECRET);
    expect(lines).toEqual(["[use-cache] skip whoAmI ('use cache: private' outside withRequestScope: runs uncached)"]);
    // Inside a scope it is cached (per request): no skip.
    events.length = 0;
    await withRequestScope(() => fn(SECRET));
    expect(events.map((e) => e.type)).toEqual(['miss', 'fill']);
  });
});

describe('cacheStats', () => {
  it('counts hits, stale serves, misses, fills, joins, errors and bytes, per function and in total', async () => {
    const clock = useFakeClock();
    const a = cacheFunction(uid('a'), 'default', async function a(x: number) {
      cacheLife({ revalidate: 10, expire: 100 });
      return x;
    });
    const b = cacheFunction(uid('b'), 'remote', async function b() {
      throw new Error('b fails');
    });
    await a(1);
    await a(1);
    await a(2);
    clock.advance(20_000);
    await a(1);
    await settle();
    await expect(b()).rejects.toThrow();
    const stats = cacheStats();
    const rowA = stats.functions.find((f) => f.name === 'a')!;
    expect(rowA).toMatchObject({ kind: 'default', hits: 1, stale: 1, misses: 2, fills: 3, joins: 0, errors: 0 });
    expect(rowA.bytesStored).toBeGreaterThan(0);
    expect(stats.functions.find((f) => f.name === 'b')).toMatchObject({
      kind: 'remote',
      misses: 1,
      fills: 0,
      errors: 1,
    });
    expect(stats.total).toMatchObject({ hits: 1, stale: 1, misses: 3, fills: 3, errors: 1 });
    expect(stats.total.bytesStored).toBe(rowA.bytesStored);
    // A snapshot: later calls do not change it; resetCache() starts again from zero.
    await a(1);
    expect(rowA.hits).toBe(1);
    resetCache();
    expect(cacheStats()).toEqual({
      total: { hits: 0, stale: 0, misses: 0, fills: 0, joins: 0, errors: 0, bytesStored: 0 },
      functions: [],
    });
  });
});
