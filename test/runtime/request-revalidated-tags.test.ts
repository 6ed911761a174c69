// Next.js 16's same-request rule (use-cache-wrapper's pendingRevalidatedTags): once a request has
// revalidated a tag, even with a profile (stale-marking), the rest of that request never reads an
// entry of the tag made before it: it computes anew and waits (read-your-own-writes in a Server
// Action). Other requests keep stale-while-revalidate.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  flush,
  onCacheEvent,
  resetCache,
  revalidateTag,
  unstable_cache,
  withRequestScope,
} from '../../src/runtime/index.js';
import { tagged, uid, useFakeClock, type FakeClock } from './helpers.js';

let clock: FakeClock;
beforeEach(() => {
  resetCache();
  clock = useFakeClock();
});

describe("revalidateTag(tag, 'max') in a request scope", () => {
  it('later reads in the same request compute anew and wait: the request sees its own write', async () => {
    const { source, read } = tagged('posts');
    expect(await read()).toBe(1);
    clock.advance(1);
    const reasons: (string | undefined)[] = [];
    onCacheEvent((e) => e.type === 'miss' && reasons.push(e.reason));
    const inRequest = await withRequestScope(async () => {
      source.version = 2;
      await revalidateTag('posts', 'max');
      const afterWrite = await read(); // not the stale 1
      const again = await read(); // the entry just made is fresh for the rest of the request
      return [afterWrite, again];
    });
    expect(inRequest).toEqual([2, 2]);
    expect(source.runs).toBe(2);
    expect(reasons).toEqual(['revalidated']);
    // That fill was stored: other requests read it, fresh.
    expect(await withRequestScope(() => read())).toBe(2);
    expect(source.runs).toBe(2);
  });

  it('another request, and code outside any scope, still get the stale value once', async () => {
    const { source, read } = tagged('feed');
    expect(await read()).toBe(1);
    clock.advance(1);
    source.version = 2;
    await withRequestScope(() => revalidateTag('feed', 'max')); // the request that wrote
    expect(await withRequestScope(() => read())).toBe(1); // another request: stale, at once
    await flush();
    expect(source.runs).toBe(2); // refreshed in the background
    expect(await read()).toBe(2);
  });

  it('a tag the request did not revalidate is served as usual; nested scopes share the request’s tags', async () => {
    const posts = tagged('a-posts');
    const users = tagged('a-users');
    await posts.read();
    await users.read();
    clock.advance(1);
    posts.source.version = 2;
    users.source.version = 2;
    const values = await withRequestScope(async () => {
      await revalidateTag('a-posts', { expire: 3600 });
      return withRequestScope(async () => [await posts.read(), await users.read()]);
    });
    expect(values).toEqual([2, 1]);
    expect(users.source.runs).toBe(1);
  });

  it('unstable_cache follows the same rule', async () => {
    let version = 1;
    const read = unstable_cache(async () => version, [uid()], { tags: ['u-tag'] });
    expect(await withRequestScope(() => read())).toBe(1);
    clock.advance(1);
    version = 2;
    const inRequest = await withRequestScope(async () => {
      await revalidateTag('u-tag', 'max');
      return read();
    });
    expect(inRequest).toBe(2);
  });
});
