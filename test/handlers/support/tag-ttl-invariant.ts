// The tag key lifetime invariant of the Redis handler, checked by tag-ttl.test.ts (standalone) and
// redis-cluster.test.ts (every shard of a cluster).
import { expect } from 'vitest';
import { escapeTag, type RedisCacheHandler } from '../../../src/runtime/handlers/redis.js';
import { entry } from './entries.js';

/** PTTL of an entry key and of its tag keys, read in one atomic step. */
export const PTTLS = `local out = {} for i, k in ipairs(KEYS) do out[i] = redis.call('PTTL', k) end return out`;

/** A deterministic pseudo-random sequence (the test must be reproducible). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

/**
 * Random sets (lives of 1 to 4 s, 1 to 3 of 4 tags) and revalidations; after every step, for every
 * entry still in Redis: each of its tag keys exists and lives at least as long (or has no TTL).
 */
export async function checkInvariant(
  h: RedisCacheHandler,
  raw: (keys: string[]) => Promise<number[]>,
  shardOf: (key: string) => string,
): Promise<void> {
  const next = random(42);
  const tags = ['a', 'b', 'c', 'ünï cødé'];
  const live = new Map<string, string[]>();
  for (let step = 0; step < 120; step++) {
    const key = `k${Math.floor(next() * 30)}`;
    if (next() < 0.75) {
      const own = tags.filter(() => next() < 0.5);
      if (own.length === 0) own.push(tags[0]!);
      await h.set(key, entry('v', own, { expire: 1 + Math.floor(next() * 4), timestamp: Date.now() }));
      live.set(key, own);
    } else {
      await h.updateTags([tags[Math.floor(next() * tags.length)]!], Date.now());
    }
    for (const [k, own] of live) {
      const shard = shardOf(k);
      const [entryTtl, ...tagTtls] = await raw([`${shard}e:${k}`, ...own.map((t) => `${shard}t:${escapeTag(t)}`)]);
      if (entryTtl === -2) {
        live.delete(k); // expired
        continue;
      }
      for (const tagTtl of tagTtls) {
        expect(tagTtl === -1 || tagTtl! >= entryTtl!, `tag key of ${k}: ${tagTtl} ms < entry ${entryTtl} ms`).toBe(
          true,
        );
      }
    }
    if (step % 20 === 19) await new Promise((r) => setTimeout(r, 300)); // let some entries expire
  }
}
