// The runtime's side of fill leases (runtime/lease.ts), through cached calls and handlers written
// against the CacheHandler contract: a lease never fails a call and never blocks longer than its time.
// (Waiters reading the holder's entry: lease.test.ts and redis-cluster.test.ts, across processes.)
import { beforeEach, describe, expect, it } from 'vitest';
import { cacheFunction, configureCache, resetCache } from '../../src/runtime/index.js';
import { createMemoryHandler } from '../../src/runtime/handlers/memory.js';
import type { CacheHandler, LeaseClaim } from '../../src/runtime/handlers/types.js';

let ids = 0;
const uid = () => `lease-contract-${++ids}`;

/** A memory handler whose lease methods are given: a custom handler as a user would write one. */
function leasing(
  acquireLease: (key: string) => Promise<LeaseClaim>,
  onRelease: (token: string) => void = () => {},
): CacheHandler {
  const memory = createMemoryHandler();
  return {
    get: (key) => memory.get(key),
    set: (key, entry) => memory.set(key, entry),
    getTagTimes: (tags) => memory.getTagTimes(tags),
    updateTags: (tags, timestamp, durations) => memory.updateTags(tags, timestamp, durations),
    acquireLease,
    releaseLease: async (_key, token) => onRelease(token),
  };
}

describe('fill leases in the runtime', () => {
  beforeEach(() => resetCache());

  it('a holder that never stores delays a call by at most the lease time, then the call computes', async () => {
    configureCache({ handlers: { default: leasing(async () => ({ ttlMs: 300 })) } });
    let runs = 0;
    const f = cacheFunction(uid(), 'default', async () => ++runs);
    const started = Date.now();
    expect(await f()).toBe(1);
    // It waited for the holder (a lower bound, which a slow machine only makes longer); that it
    // then stops waiting is the call returning at all (the lease never lapses on its own here).
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('a failing or malformed lease call means "no lease": the call computes at once', async () => {
    for (const acquire of [
      async (): Promise<LeaseClaim> => {
        throw new Error('lease store down');
      },
      async () => ({ ttlMs: Number.NaN }),
      async () => null as unknown as LeaseClaim,
      async () => ({ token: 42, ttlMs: 100 }) as unknown as LeaseClaim,
    ]) {
      resetCache();
      let claims = 0;
      const counted = async () => {
        claims++;
        return acquire();
      };
      configureCache({ handlers: { default: leasing(counted) }, debug: false });
      let runs = 0;
      const f = cacheFunction(uid(), 'default', async () => ++runs);
      expect(await f()).toBe(1);
      expect(claims).toBe(1); // one claim, no waiting and claiming again
    }
  });

  it('the holder releases its lease after storing, and after its body threw', async () => {
    const released: string[] = [];
    let bothReleased!: () => void;
    const releases = new Promise<void>((resolve) => (bothReleased = resolve));
    const onRelease = (token: string) => {
      if (released.push(token) === 2) bothReleased();
    };
    let n = 0;
    configureCache({ handlers: { default: leasing(async () => ({ token: `t${++n}`, ttlMs: 5000 }), onRelease) } });
    const ok = cacheFunction(uid(), 'default', async () => 'value');
    expect(await ok()).toBe('value');
    const failing = cacheFunction(uid(), 'default', async () => {
      throw new Error('body failed');
    });
    await expect(failing()).rejects.toThrow('body failed');
    await releases; // the release after storing is background work: wait for the event itself
    expect(released.sort()).toEqual(['t1', 't2']);
  });
});
