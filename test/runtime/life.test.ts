import { beforeEach, describe, expect, it } from 'vitest';
import {
  BUILTIN_PROFILES,
  NEVER,
  cacheFunction,
  cacheLife,
  configureCache,
  resetCache,
  unstable_cacheLife,
  type CacheLifeInput,
  type CacheProfileName,
} from '../../src/runtime/index.js';
import { recordingHandler, settle, uid, useFakeClock } from './helpers.js';

beforeEach(() => resetCache());

/** The life stored for one call of a function that calls cacheLife(profile). */
async function lifeOf(profile?: string | CacheLifeInput) {
  const recorder = recordingHandler();
  configureCache({ handlers: { default: recorder.handler } });
  const f = cacheFunction(uid(), 'default', async () => {
    if (profile !== undefined) cacheLife(profile as CacheProfileName | CacheLifeInput);
    return 1;
  });
  await f();
  const { stale, revalidate, expire } = recorder.sets[0]!.entry;
  return { stale, revalidate, expire };
}

describe('cacheLife', () => {
  it('has the seven built-in profiles with the documented numbers', async () => {
    expect(BUILTIN_PROFILES).toEqual({
      default: { stale: 300, revalidate: 900, expire: NEVER },
      seconds: { stale: 30, revalidate: 1, expire: 60 },
      minutes: { stale: 300, revalidate: 60, expire: 3600 },
      hours: { stale: 300, revalidate: 3600, expire: 86400 },
      days: { stale: 300, revalidate: 86400, expire: 604800 },
      weeks: { stale: 300, revalidate: 604800, expire: 2592000 },
      max: { stale: 300, revalidate: 2592000, expire: 31536000 },
    });
    expect(NEVER).toBe(0xfffffffe);
    for (const [name, life] of Object.entries(BUILTIN_PROFILES)) {
      expect(await lifeOf(name)).toEqual(life);
    }
  });

  it('without cacheLife an entry gets the default profile', async () => {
    expect(await lifeOf()).toEqual(BUILTIN_PROFILES.default);
  });

  it('takes inline objects; missing fields come from the default profile', async () => {
    expect(await lifeOf({ stale: 5, revalidate: 10, expire: 20 })).toEqual({ stale: 5, revalidate: 10, expire: 20 });
    expect(await lifeOf({ revalidate: 42 })).toEqual({ stale: 300, revalidate: 42, expire: NEVER });
    // revalidate never exceeds expire
    expect(await lifeOf({ expire: 100 })).toEqual({ stale: 300, revalidate: 100, expire: 100 });
    expect(await lifeOf({ expire: Infinity })).toEqual({ stale: 300, revalidate: 900, expire: NEVER });
  });

  it('several calls keep the shortest value of each field', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    const f = cacheFunction(uid(), 'default', async () => {
      cacheLife('hours');
      cacheLife({ revalidate: 10 });
      cacheLife('days');
      return 1;
    });
    await f();
    expect(recorder.sets[0]!.entry).toMatchObject({ stale: 300, revalidate: 10, expire: 86400 });
  });

  it('custom profiles and overrides of built-ins come from configureCache({ profiles })', async () => {
    configureCache({ profiles: { blog: { revalidate: 120, expire: 7200 }, hours: { revalidate: 1800 } } });
    expect(await lifeOf('blog')).toEqual({ stale: 300, revalidate: 120, expire: 7200 });
    configureCache({ profiles: { blog: { revalidate: 120, expire: 7200 }, hours: { revalidate: 1800 } } });
    expect(await lifeOf('hours')).toEqual({ stale: 300, revalidate: 1800, expire: 86400 });
    // An overridden default changes the life of entries without cacheLife and fills custom profiles.
    configureCache({ profiles: { default: { stale: 10, revalidate: 20, expire: 30 }, tiny: { revalidate: 5 } } });
    expect(await lifeOf()).toEqual({ stale: 10, revalidate: 20, expire: 30 });
    configureCache({ profiles: { default: { stale: 10, revalidate: 20, expire: 30 }, tiny: { revalidate: 5 } } });
    expect(await lifeOf('tiny')).toEqual({ stale: 10, revalidate: 5, expire: 30 });
    // profiles: undefined goes back to the built-ins only.
    configureCache({ profiles: undefined });
    await expect(lifeOf('blog')).rejects.toThrow(/unknown profile/);
  });

  it('is an error for an unknown profile, listing the known ones', async () => {
    await expect(lifeOf('hourz')).rejects.toThrow(
      /cacheLife\("hourz"\): unknown profile\. Known profiles: default, seconds, minutes, hours, days, weeks, max/,
    );
  });

  it('is an error when expire < revalidate, inline or configured', async () => {
    await expect(lifeOf({ revalidate: 100, expire: 10 })).rejects.toThrow(
      /expire \(10\) must not be less than revalidate \(100\)/,
    );
    expect(() => configureCache({ profiles: { bad: { revalidate: 100, expire: 10 } } })).toThrow(/expire/);
    // A partial override that ends up below the built-in's revalidate is caught too.
    expect(() => configureCache({ profiles: { minutes: { revalidate: 4000 } } })).toThrow(
      /profile "minutes" has expire \(3600\) < revalidate \(4000\)/,
    );
    await expect(lifeOf({ revalidate: -1 })).rejects.toThrow(/revalidate must be a number of seconds >= 0/);
    await expect(lifeOf({ revalidat: 1 } as CacheLifeInput)).rejects.toThrow(/unknown field "revalidat"/);
    // A failed configureCache changes nothing.
    expect(await lifeOf('minutes')).toEqual(BUILTIN_PROFILES.minutes);
  });

  it('is an error outside a cache scope', () => {
    expect(() => cacheLife('hours')).toThrow(/cacheLife\(\) was called outside a 'use cache' function/);
    expect(unstable_cacheLife).toBe(cacheLife);
  });

  it('an error from cacheLife inside the body reaches the caller and nothing is stored', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    const f = cacheFunction(uid(), 'default', async () => {
      // @ts-expect-error -- an unknown profile name is a type error too; this checks the run-time error
      cacheLife('nope');
      return 1;
    });
    await expect(f()).rejects.toThrow(/unknown profile/);
    expect(recorder.calls.set).toBe(0);
  });
});

describe('freshness', () => {
  function slowCounter() {
    const state = { runs: 0, release: [] as Array<() => void>, hold: false };
    const fn = cacheFunction(uid(), 'default', async (key: string) => {
      const run = ++state.runs;
      cacheLife({ stale: 1, revalidate: 10, expire: 100 });
      if (state.hold) await new Promise<void>((resolve) => state.release.push(resolve));
      return `${key}#${run}`;
    });
    return Object.assign(fn, { state });
  }

  it('is fresh until revalidate', async () => {
    const clock = useFakeClock();
    const f = slowCounter();
    expect(await f('a')).toBe('a#1');
    clock.advance(9_999);
    expect(await f('a')).toBe('a#1');
    expect(f.state.runs).toBe(1);
  });

  it('serves the stale value at once between revalidate and expire, with one background refresh', async () => {
    const clock = useFakeClock();
    const f = slowCounter();
    expect(await f('a')).toBe('a#1');
    clock.advance(10_000);
    f.state.hold = true;
    const stale = await Promise.all(Array.from({ length: 50 }, () => f('a')));
    expect(new Set(stale)).toEqual(new Set(['a#1']));
    expect(await f('a')).toBe('a#1');
    await settle();
    expect(f.state.runs).toBe(2); // one refresh for 51 stale reads
    f.state.release.forEach((release) => release());
    await settle();
    expect(await f('a')).toBe('a#2');
    expect(f.state.runs).toBe(2);
  });

  it('a failing background refresh keeps the stale entry and fails nobody', async () => {
    const clock = useFakeClock();
    let fail = false;
    let runs = 0;
    const f = cacheFunction(uid(), 'default', async () => {
      runs++;
      cacheLife({ revalidate: 10, expire: 100 });
      if (fail) throw new Error('refresh failed');
      return runs;
    });
    expect(await f()).toBe(1);
    clock.advance(20_000);
    fail = true;
    expect(await f()).toBe(1);
    await settle();
    expect(runs).toBe(2);
    fail = false;
    expect(await f()).toBe(1); // still stale: the failed refresh stored nothing; a new refresh starts
    await settle();
    expect(await f()).toBe(3);
  });

  it('waits for a refresh after expire', async () => {
    const clock = useFakeClock();
    const f = slowCounter();
    expect(await f('a')).toBe('a#1');
    clock.advance(100_000);
    expect(await f('a')).toBe('a#2');
    expect(f.state.runs).toBe(2);
    clock.advance(99_999);
    // stale again (age >= revalidate) but not expired
    expect(await f('a')).toBe('a#2');
  });

  it('revalidate 0 serves the stored value and refreshes it in the background on every read', async () => {
    useFakeClock();
    let runs = 0;
    const f = cacheFunction(uid(), 'default', async () => {
      cacheLife({ revalidate: 0, expire: 60 });
      return ++runs;
    });
    expect(await f()).toBe(1);
    expect(await f()).toBe(1);
    await settle();
    expect(runs).toBe(2);
    expect(await f()).toBe(2);
  });
});
