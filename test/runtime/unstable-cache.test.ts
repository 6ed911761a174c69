// unstable_cache from next/cache, as Next.js implements it: key from the function's source,
// keyParts and the arguments as JSON; JSON values; revalidate and tags; stale-while-revalidate
// inside a request scope; nesting into 'use cache'.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  cacheFunction,
  configureCache,
  flush,
  resetCache,
  revalidateTag,
  unstable_cache,
  updateTag,
  withRequestScope,
} from '../../src/runtime/index.js';
import { recordingHandler, useFakeClock, type FakeClock } from './helpers.js';

let clock: FakeClock;
beforeEach(() => {
  resetCache();
  clock = useFakeClock();
});

function source() {
  const state = { version: 1, runs: 0 };
  const read = async (id: number) => {
    state.runs++;
    return { id, version: state.version, at: new Date(0) };
  };
  return { state, read };
}

describe('unstable_cache', () => {
  it('caches by arguments; values come back as JSON (a Date as a string), every time', async () => {
    const { state, read } = source();
    const cached = unstable_cache(read, ['products']);
    const first = await cached(1);
    expect(first).toEqual({ id: 1, version: 1, at: '1970-01-01T00:00:00.000Z' });
    expect(await cached(1)).toEqual(first);
    expect(await cached(1)).not.toBe(first); // a copy per caller
    expect(await cached(2)).toMatchObject({ id: 2 });
    expect(state.runs).toBe(2);
  });

  it('keyParts and the function source are part of the key', async () => {
    const { state, read } = source();
    await unstable_cache(read, ['a'])(1);
    await unstable_cache(read, ['a'])(1);
    await unstable_cache(read, ['b'])(1);
    expect(state.runs).toBe(2);
    const other = async (id: number) => ({ id, other: true });
    expect(await unstable_cache(other, ['a'])(1)).toEqual({ id: 1, other: true });
  });

  it('revalidate: fresh for that long; then, outside a request scope, computed anew before returning', async () => {
    const { state, read } = source();
    const cached = unstable_cache(read, [], { revalidate: 60 });
    await cached(1);
    state.version = 2;
    clock.advance(59_000);
    expect(await cached(1)).toMatchObject({ version: 1 });
    clock.advance(2_000);
    expect(await cached(1)).toMatchObject({ version: 2 });
  });

  it('inside a request scope, a stale value is served while one background refresh runs', async () => {
    const { state, read } = source();
    const cached = unstable_cache(read, [], { revalidate: 60 });
    await cached(1);
    state.version = 2;
    clock.advance(61_000);
    expect(await withRequestScope(() => cached(1))).toMatchObject({ version: 1 });
    await flush();
    expect(state.runs).toBe(2);
    expect(await withRequestScope(() => cached(1))).toMatchObject({ version: 2 });
  });

  it('tags: revalidateTag and updateTag apply', async () => {
    const { state, read } = source();
    const cached = unstable_cache(read, ['p'], { tags: ['products'] });
    await cached(1);
    state.version = 2;
    clock.advance(1);
    await updateTag('products');
    expect(await cached(1)).toMatchObject({ version: 2 });
    state.version = 3;
    clock.advance(1);
    await revalidateTag('products', 'max');
    expect(await withRequestScope(() => cached(1))).toMatchObject({ version: 2 }); // stale once
    await flush();
    expect(await cached(1)).toMatchObject({ version: 3 });
  });

  it('is stored in the default handler', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    const { read } = source();
    await unstable_cache(read, [], { tags: ['x'], revalidate: 10 })(1);
    await flush();
    expect(recorder.sets).toHaveLength(1);
    expect(recorder.sets[0]!.entry).toMatchObject({ tags: ['x'], revalidate: 10 });
  });

  it("inside 'use cache', its tags and a shorter revalidate pass to the enclosing entry", async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    const { read } = source();
    const inner = unstable_cache(read, [], { tags: ['inner'], revalidate: 30 });
    const outer = cacheFunction('outer-id', 'default', async () => inner(1));
    await outer();
    await flush();
    const outerEntry = recorder.sets.find((s) => s.entry.tags.includes('inner') && s.entry.revalidate === 30);
    expect(outerEntry).toBeDefined();
  });

  it('draft mode neither reads nor stores', async () => {
    const { state, read } = source();
    const cached = unstable_cache(read, []);
    await cached(1);
    state.version = 2;
    expect(await withRequestScope(() => cached(1), { draftMode: true })).toMatchObject({ version: 2 });
    expect(await cached(1)).toMatchObject({ version: 1 });
  });

  it('validates its options as Next.js does; errors of the body are thrown and not stored', async () => {
    const { read } = source();
    expect(() => unstable_cache(read, [], { revalidate: 0 })).toThrow(/revalidate: 0 can not be passed/);
    expect(() => unstable_cache(read, [], { revalidate: -5 })).toThrow(/Invalid revalidate value "-5"/);
    expect(() => unstable_cache(read, [], { tags: [''] })).toThrow(/a tag must not be empty/);
    let fail = true;
    const flaky = unstable_cache(async () => {
      if (fail) throw new Error('down');
      return 'ok';
    });
    await expect(flaky()).rejects.toThrow('down');
    fail = false;
    expect(await flaky()).toBe('ok');
  });
});
