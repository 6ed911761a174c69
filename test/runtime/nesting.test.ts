import { beforeEach, describe, expect, it } from 'vitest';
import {
  BUILTIN_PROFILES,
  cacheFunction,
  cacheLife,
  cacheTag,
  configureCache,
  resetCache,
  revalidateTag,
} from '../../src/runtime/index.js';
import { recordingHandler, uid } from './helpers.js';

beforeEach(() => resetCache());

function setup() {
  const recorder = recordingHandler();
  configureCache({ handlers: { default: recorder.handler } });
  const runs = { inner: 0, other: 0, outer: 0 };
  const innerId = uid('inner');
  const inner = cacheFunction(innerId, 'default', async (x: number) => {
    runs.inner++;
    cacheLife('seconds');
    cacheTag('inner-tag', `item-${x}`);
    return x * 10;
  });
  const other = cacheFunction(uid('other'), 'default', async () => {
    runs.other++;
    cacheLife({ stale: 100, revalidate: 500, expire: 30 * 86400 });
    cacheTag('other-tag');
    return 'other';
  });
  const outerNoLife = cacheFunction(uid('outer'), 'default', async (x: number) => {
    runs.outer++;
    cacheTag('outer-tag');
    return `${await inner(x)}/${await other()}`;
  });
  const entryFor = (n: number) => recorder.sets[n]!.entry;
  const lastSetOf = (predicate: (tags: string[]) => boolean) =>
    recorder.sets.filter((s) => predicate(s.entry.tags)).at(-1)!.entry;
  return { recorder, runs, inner, other, outerNoLife, entryFor, lastSetOf };
}

describe('nesting', () => {
  it('an outer cache without cacheLife takes, per field, the minimum of the inner lives', async () => {
    const { outerNoLife, lastSetOf } = setup();
    await outerNoLife(1);
    const outer = lastSetOf((tags) => tags.includes('outer-tag'));
    // inner: seconds (30/1/60); other: 100/500/30 days; default 300/900/never
    expect(outer).toMatchObject({ stale: 30, revalidate: 1, expire: 60 });
  });

  it('inner lives longer than the default do not lengthen the outer entry', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    const inner = cacheFunction(uid(), 'default', async () => {
      cacheLife('max');
      return 1;
    });
    const outer = cacheFunction(uid(), 'default', async () => {
      cacheTag('outer');
      return inner();
    });
    await outer();
    const entry = recorder.sets.find((s) => s.entry.tags.includes('outer'))!.entry;
    expect(entry).toMatchObject({ stale: 300, revalidate: 900, expire: BUILTIN_PROFILES.max!.expire });
  });

  it('an outer cache with its own cacheLife keeps it', async () => {
    const { inner, lastSetOf } = setup();
    const outer = cacheFunction(uid(), 'default', async () => {
      cacheLife('days');
      cacheTag('own-life');
      return inner(2);
    });
    await outer();
    expect(lastSetOf((tags) => tags.includes('own-life'))).toMatchObject(BUILTIN_PROFILES.days!);
  });

  it('inner tags are added to the outer entry, also when the inner call is a hit', async () => {
    const { outerNoLife, inner, lastSetOf, runs } = setup();
    await inner(3); // warm the inner cache
    await outerNoLife(3);
    expect(runs.inner).toBe(1);
    const outer = lastSetOf((tags) => tags.includes('outer-tag'));
    expect(outer.tags).toEqual(['outer-tag', 'inner-tag', 'item-3', 'other-tag']);
    expect(outer).toMatchObject({ revalidate: 1, expire: 60 });
  });

  it('revalidating an inner tag refreshes the outer entry', async () => {
    const { outerNoLife, runs } = setup();
    expect(await outerNoLife(4)).toBe('40/other');
    expect(await outerNoLife(4)).toBe('40/other');
    expect(runs).toEqual({ inner: 1, other: 1, outer: 1 });
    await revalidateTag('item-4');
    expect(await outerNoLife(4)).toBe('40/other');
    expect(runs).toEqual({ inner: 2, other: 1, outer: 2 });
    await revalidateTag('other-tag');
    await outerNoLife(4);
    expect(runs).toEqual({ inner: 2, other: 2, outer: 3 });
  });

  it('cacheTag and cacheLife in an inner function apply to the inner scope only', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    const inner = cacheFunction(uid(), 'default', async () => {
      cacheTag('only-inner');
      return 1;
    });
    const sibling = cacheFunction(uid(), 'default', async () => {
      cacheTag('sibling');
      return 2;
    });
    await Promise.all([inner(), sibling()]);
    const tags = recorder.sets.map((s) => s.entry.tags);
    expect(tags).toEqual(expect.arrayContaining([['only-inner'], ['sibling']]));
  });
});
