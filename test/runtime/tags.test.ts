import { beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_TAGS,
  MAX_TAG_LENGTH,
  cacheFunction,
  cacheTag,
  configureCache,
  expireTag,
  resetCache,
  revalidateTag,
  unstable_cacheTag,
  unstable_expireTag,
  updateTag,
} from '../../src/runtime/index.js';
import { createMemoryHandler } from '../../src/runtime/handlers/memory.js';
import { recordingHandler, uid, useFakeClock } from './helpers.js';

beforeEach(() => resetCache());

async function tagsOf(...tags: Parameters<typeof cacheTag>) {
  const recorder = recordingHandler();
  configureCache({ handlers: { default: recorder.handler } });
  const f = cacheFunction(uid(), 'default', async () => {
    cacheTag(...tags);
    return 1;
  });
  await f();
  return recorder.sets[0]!.entry.tags;
}

describe('cacheTag', () => {
  it('takes strings and arrays; repeats are idempotent; tags are case-sensitive', async () => {
    expect(await tagsOf('a', ['b', 'c'], 'a', ['B', ['c', 'd']])).toEqual(['a', 'b', 'c', 'B', 'd']);
    expect(unstable_cacheTag).toBe(cacheTag);
  });

  it(`accepts ${MAX_TAG_LENGTH} characters and ${MAX_TAGS} tags, and rejects more`, async () => {
    expect(MAX_TAG_LENGTH).toBe(256);
    expect(MAX_TAGS).toBe(128);
    expect(await tagsOf('x'.repeat(256))).toEqual(['x'.repeat(256)]);
    await expect(tagsOf('x'.repeat(257))).rejects.toThrow(/257 characters long; the limit is 256/);
    const many = Array.from({ length: 128 }, (_, i) => `t${i}`);
    expect(await tagsOf(many, 't0')).toHaveLength(128);
    await expect(tagsOf(many, 'one-more')).rejects.toThrow(/would carry 129 tags; the limit is 128/);
    await expect(tagsOf('')).rejects.toThrow(/must not be empty/);
    await expect(tagsOf(1 as never)).rejects.toThrow(/tags must be strings, got number/);
  });

  it('is an error outside a cache scope', () => {
    expect(() => cacheTag('a')).toThrow(/cacheTag\(\) was called outside a 'use cache' function/);
  });
});

describe('revalidateTag', () => {
  function tagged(tags: string[]) {
    const state = { runs: 0 };
    const fn = cacheFunction(uid(), 'default', async (x: number) => {
      cacheTag(tags);
      return `${x}#${++state.runs}`;
    });
    return Object.assign(fn, { state });
  }

  it('makes tagged entries stale at once: the next call computes anew; others are untouched', async () => {
    const posts = tagged(['posts']);
    const users = tagged(['users']);
    const plain = tagged([]);
    await Promise.all([posts(1), posts(2), users(1), plain(1)]);
    expect(await posts(1)).toBe('1#1');
    await revalidateTag('posts');
    expect(await posts(1)).toBe('1#3');
    expect(await posts(2)).toBe('2#4');
    expect(await posts(1)).toBe('1#3');
    expect(await users(1)).toBe('1#1');
    expect(await plain(1)).toBe('1#1');
  });

  it('is O(1) in entries: one updateTags per handler, no reads or writes of entries', async () => {
    const recorder = recordingHandler(createMemoryHandler({ maxBytes: 1e9 }));
    configureCache({ handlers: { default: recorder.handler } });
    const f = tagged(['bulk']);
    for (let i = 0; i < 2000; i++) await f(i);
    const before = { ...recorder.calls };
    await revalidateTag('bulk');
    expect(recorder.calls.updateTags - before.updateTags).toBe(1);
    expect(recorder.calls.get).toBe(before.get);
    expect(recorder.calls.set).toBe(before.set);
    expect(recorder.updates.at(-1)!.tags).toEqual(['bulk']);
    expect(await f(1999)).toBe('1999#2001');
  });

  it('records the revalidation in every configured handler', async () => {
    const a = recordingHandler();
    const b = recordingHandler();
    const c = recordingHandler();
    configureCache({ handlers: { default: a.handler, remote: b.handler, edge: c.handler, other: c.handler } });
    const clock = useFakeClock(5000);
    await revalidateTag(['x', 'y']);
    for (const r of [a, b, c]) expect(r.updates).toEqual([{ tags: ['x', 'y'], timestamp: 5000 }]);
    clock.advance(1);
  });

  it('an invalidation recorded by another instance in a shared handler is seen on read', async () => {
    const shared = recordingHandler();
    configureCache({ handlers: { default: shared.handler } });
    const clock = useFakeClock(10_000);
    const f = tagged(['shared']);
    expect(await f(1)).toBe('1#1');
    clock.advance(5);
    // "Another instance" writes straight into the shared store.
    await shared.handler.updateTags(['shared'], clock.now());
    expect(await f(1)).toBe('1#2');
    expect(await f(1)).toBe('1#2');
  });

  it('with a frozen clock, an entry computed after the revalidation is fresh', async () => {
    useFakeClock(42);
    const f = tagged(['frozen']);
    expect(await f(1)).toBe('1#1');
    await revalidateTag('frozen');
    expect(await f(1)).toBe('1#2');
    expect(await f(1)).toBe('1#2');
  });

  it('with a frozen clock, revalidations and refills alternate correctly within one millisecond', async () => {
    useFakeClock(7);
    const f = tagged(['ms']);
    expect(await f(1)).toBe('1#1');
    for (let i = 2; i < 6; i++) {
      await revalidateTag('ms');
      expect(await f(1)).toBe(`1#${i}`);
      expect(await f(1)).toBe(`1#${i}`);
    }
  });

  it('an entry whose fill started before the revalidation is stale when stored', async () => {
    useFakeClock(42);
    let release!: () => void;
    let started!: () => void;
    const bodyStarted = new Promise<void>((resolve) => (started = resolve));
    let runs = 0;
    const f = cacheFunction(uid(), 'default', async () => {
      cacheTag('race');
      const run = ++runs;
      if (run === 1) {
        started();
        await new Promise<void>((resolve) => (release = resolve));
      }
      return run;
    });
    const first = f();
    await bodyStarted; // the fill is under way
    await revalidateTag('race');
    release();
    expect(await first).toBe(1);
    expect(await f()).toBe(2);
    expect(await f()).toBe(2);
  });

  it('has the Next.js names: unstable_expireTag, expireTag and updateTag', async () => {
    // Next.js 15's expireTag(...tags): expires every tag given, at once.
    expect(unstable_expireTag).toBe(expireTag);
    const f = tagged(['alias']);
    await f(1);
    await updateTag('alias');
    expect(await f(1)).toBe('1#2');
    await expireTag('alias', 'max');
    expect(await f(1)).toBe('1#3');
  });

  it('validates its tags synchronously (see revalidate-safety.test.ts)', () => {
    expect(() => revalidateTag('x'.repeat(300))).toThrow(/limit is 256/);
    expect(() => revalidateTag(undefined as never)).toThrow(/tags must be strings/);
  });
});
