// "Write, revalidate, re-render": a call made after revalidateTag must not get data from before it,
// not even by joining a fill that was already running. A fill's tags are known only when it ends,
// so a call never joins a fill that started before any revalidation in this process.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  NEVER,
  cacheFunction,
  cacheTag,
  configureCache,
  resetCache,
  revalidateTag,
  updateTag,
  type CacheEntry,
  type CacheHandler,
} from '../../src/runtime/index.js';
import { createMemoryHandler } from '../../src/runtime/handlers/memory.js';
import { createServerTemporaryReferences, renderValue } from '../../src/runtime/value.js';
import { recordingHandler, settle, uid } from './helpers.js';

beforeEach(() => resetCache());

/** A tagged cached read of `db.value` whose first computation waits for `release()`. */
function slowRead(tagWhen: 'before' | 'after' | 'never') {
  const db = { value: 'old' };
  const state = { runs: 0 };
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const read = cacheFunction(uid(), 'default', async () => {
    const run = ++state.runs;
    if (tagWhen === 'before') cacheTag('posts');
    const seen = db.value;
    if (run === 1) await gate;
    if (tagWhen === 'after') cacheTag('posts');
    return `${seen}#${run}`;
  });
  return { db, state, read, release };
}

describe('a call after revalidateTag never joins a fill that started before it', () => {
  for (const tagWhen of ['before', 'after'] as const) {
    it(`the fill tagged ${tagWhen} the revalidation: the later call computes anew and gets the new data`, async () => {
      const { db, state, read, release } = slowRead(tagWhen);
      const first = read();
      await settle();
      db.value = 'new';
      void revalidateTag('posts');
      const second = read();
      // It must not wait for the first fill (still held).
      expect(await Promise.race([second, settle(50).then(() => 'waiting for the old fill')])).toBe('new#2');
      release();
      expect(await first).toBe('old#1');
      // The superseded fill did not overwrite the newer entry.
      await settle();
      expect(await read()).toBe('new#2');
      expect(state.runs).toBe(2);
    });
  }

  it('with updateTag too, and with a handler read asynchronously', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    const { db, read, release } = slowRead('after');
    const first = read();
    await settle();
    db.value = 'new';
    await updateTag('posts');
    const second = read();
    release();
    expect(await first).toBe('old#1');
    expect(await second).toBe('new#2');
    await settle();
    expect(recorder.sets).toHaveLength(1);
    expect(await read()).toBe('new#2');
  });

  it('calls made before the revalidation still share the first fill; calls after it share the second', async () => {
    const { db, state, read, release } = slowRead('before');
    const before = [read(), read(), read()];
    await settle();
    db.value = 'new';
    void revalidateTag('posts');
    const after = [read(), read(), read()];
    release();
    expect(await Promise.all(before)).toEqual(['old#1', 'old#1', 'old#1']);
    expect(await Promise.all(after)).toEqual(['new#2', 'new#2', 'new#2']);
    expect(state.runs).toBe(2);
  });

  it('without a revalidation, concurrent calls keep sharing one fill', async () => {
    const { state, read, release } = slowRead('never');
    const calls = Array.from({ length: 50 }, () => read());
    await settle();
    release();
    expect(new Set(await Promise.all(calls))).toEqual(new Set(['old#1']));
    expect(state.runs).toBe(1);
  });
});

describe('nor an entry another instance computed from before it', () => {
  it('waiting for another instance’s lease, an entry it started before the revalidation is not taken', async () => {
    const memory = createMemoryHandler();
    const before = Date.now() - 50;
    const old: CacheEntry = {
      value: await renderValue('old', createServerTemporaryReferences(), 'other instance'),
      tags: ['posts'],
      timestamp: before,
      stale: 300,
      revalidate: 900,
      expire: NEVER,
    };
    let reads = 0;
    let claims = 0;
    const handler: CacheHandler = {
      async get(key) {
        // The other instance stores its entry just after this process's miss.
        if (++reads === 1) {
          await memory.set(key, old);
          return undefined;
        }
        return memory.get(key);
      },
      set: (key, entry) => memory.set(key, entry),
      getTagTimes: (tags) => memory.getTagTimes(tags),
      updateTags: (tags, timestamp, durations) => memory.updateTags(tags, timestamp, durations),
      // Held by the other instance at first; then free.
      acquireLease: async () => (++claims === 1 ? { ttlMs: 5000 } : { token: 'mine', ttlMs: 5000 }),
      releaseLease: async () => {},
    };
    configureCache({ handlers: { default: handler } });
    const read = cacheFunction(uid(), 'default', async () => {
      cacheTag('posts');
      return 'new';
    });
    void revalidateTag('posts');
    expect(await read()).toBe('new');
    expect(claims).toBe(2);
  });
});
