// Next.js 16's invalidation: revalidateTag(tag, profile) marks entries stale (served once more
// while refreshed, until the profile's expire has passed), updateTag(tag) expires them at once,
// and the one-argument revalidateTag(tag) still expires at once but warns once per process.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureCache, resetCache, revalidateTag, updateTag } from '../../src/runtime/index.js';
import { recordingHandler, settle, tagged, useFakeClock, type FakeClock } from './helpers.js';

// The custom profile used below, declared as README says custom profile names are.
declare module '../../src/runtime/life.js' {
  interface CacheProfiles {
    brief: true;
  }
}

const warnings: Error[] = [];
const onWarning = (warning: Error) => void warnings.push(warning);
let clock: FakeClock;
beforeEach(() => {
  resetCache();
  clock = useFakeClock();
  process.on('warning', onWarning);
});
afterEach(() => {
  process.off('warning', onWarning);
  warnings.length = 0;
});

describe('revalidateTag(tag) with one argument', () => {
  // First in this file: the warning is once per process (per module instance here).
  it('expires at once and warns once per process, pointing to updateTag and the two-argument form', async () => {
    const { source, read } = tagged('one-arg');
    expect(await read()).toBe(1);
    source.version = 2;
    clock.advance(1);
    await revalidateTag('one-arg');
    expect(await read()).toBe(2);
    clock.advance(1);
    await revalidateTag('one-arg');
    await settle();
    const deprecations = warnings.filter((w) => w.name === 'DeprecationWarning');
    expect(deprecations).toHaveLength(1);
    expect(deprecations[0]!.message).toMatch(/revalidateTag\(tag\) without a second argument is deprecated/);
    expect(deprecations[0]!.message).toMatch(/revalidateTag\(tag, 'max'\)/);
    expect(deprecations[0]!.message).toMatch(/updateTag\(tag\)/);
  });
});

describe('revalidateTag(tag, profile)', () => {
  it("'max': the next read serves the stale value once and refreshes it in the background", async () => {
    const { source, read } = tagged('posts');
    expect(await read()).toBe(1);
    clock.advance(1);
    source.version = 2;
    await revalidateTag('posts', 'max');
    expect(await read()).toBe(1); // stale, served at once
    await settle();
    expect(source.runs).toBe(2); // one background refresh
    expect(await read()).toBe(2);
    expect(source.runs).toBe(2);
    expect(warnings).toEqual([]);
  });

  it('a crowd of stale reads starts one refresh', async () => {
    const { source, read } = tagged('crowd');
    await read();
    clock.advance(1);
    source.version = 2;
    await revalidateTag('crowd', 'hours');
    expect(await Promise.all([read(), read(), read()])).toEqual([1, 1, 1]);
    await settle();
    expect(source.runs).toBe(2);
  });

  it('{ expire }: once expire seconds have passed since the revalidation, reads wait for a fresh value', async () => {
    const { source, read } = tagged('deadline');
    expect(await read()).toBe(1);
    clock.advance(1);
    source.version = 2;
    await revalidateTag('deadline', { expire: 60 });
    clock.advance(60_000);
    expect(await read()).toBe(2); // computed before returning
    expect(source.runs).toBe(2);
    expect(await read()).toBe(2);
  });

  it('a named profile uses its expire, custom profiles included', async () => {
    configureCache({ profiles: { brief: { revalidate: 1, expire: 5 } } });
    const { source, read } = tagged('brief');
    await read();
    clock.advance(1);
    source.version = 2;
    await revalidateTag('brief', 'brief');
    clock.advance(4_000);
    expect(await read()).toBe(1); // within 5 s: stale
    const other = tagged('brief-2');
    await other.read();
    clock.advance(1);
    other.source.version = 2;
    await revalidateTag('brief-2', 'brief');
    clock.advance(5_000);
    expect(await other.read()).toBe(2); // 5 s later: waits
  });

  it('{ expire: 0 } expires at once', async () => {
    const { source, read } = tagged('zero');
    await read();
    clock.advance(1);
    source.version = 2;
    await revalidateTag('zero', { expire: 0 });
    expect(await read()).toBe(2);
  });

  it('a profile without expire marks stale and sets no deadline', async () => {
    const { source, read } = tagged('no-deadline');
    await read();
    clock.advance(1);
    source.version = 2;
    await revalidateTag('no-deadline', { revalidate: 10 });
    clock.advance(10 * 365 * 86_400_000);
    expect(await read()).toBe(1); // the entry's own life ('default': never expires) still holds
  });

  it('updateTag after it expires at once (the deadline is replaced)', async () => {
    const { source, read } = tagged('mixed');
    await read();
    clock.advance(1);
    source.version = 2;
    await revalidateTag('mixed', 'max');
    await updateTag('mixed');
    expect(await read()).toBe(2);
  });

  it('an entry refreshed after the revalidation is fresh', async () => {
    const { source, read } = tagged('refreshed');
    await read();
    clock.advance(1);
    source.version = 2;
    await revalidateTag('refreshed', 'max');
    await read(); // stale + refresh
    await settle();
    clock.advance(1);
    source.version = 3;
    expect(await read()).toBe(2);
    expect(source.runs).toBe(2);
  });

  it('hands the handler the profile as Next.js 16 does: updateTags(tags, timestamp, { expire })', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    await revalidateTag(['a', 'b'], 'max');
    await revalidateTag('c', { expire: 30 });
    await revalidateTag('d', {});
    await updateTag('e');
    const t = clock.now();
    expect(recorder.updates).toEqual([
      { tags: ['a', 'b'], timestamp: t, durations: { expire: 31_536_000 } },
      { tags: ['c'], timestamp: t, durations: { expire: 30 } },
      { tags: ['d'], timestamp: t, durations: {} },
      { tags: ['e'], timestamp: t },
    ]);
  });

  it('an unknown profile or a bad expire is a TypeError at the call, recording nothing', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    expect(() => revalidateTag('x', 'nope' as never)).toThrow(TypeError);
    expect(() => revalidateTag('x', 'nope' as never)).toThrow(
      /unknown profile "nope"\. Known profiles: default, seconds/,
    );
    expect(() => revalidateTag('x', { expire: -1 })).toThrow(/expire must be a number of seconds >= 0/);
    expect(() => revalidateTag('x', { expire: 'soon' } as never)).toThrow(TypeError);
    expect(() => revalidateTag('x', { later: 1 } as never)).toThrow(/unknown field "later"/);
    expect(recorder.updates).toEqual([]);
  });
});

describe('updateTag(tag)', () => {
  it('expires at once, without a warning: the next read computes anew (read-your-own-writes)', async () => {
    const { source, read } = tagged('mine');
    expect(await read()).toBe(1);
    clock.advance(1);
    source.version = 2;
    await updateTag('mine');
    expect(await read()).toBe(2);
    expect(warnings).toEqual([]);
  });
});
