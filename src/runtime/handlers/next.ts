/**
 * Adapters between this runtime's `CacheHandler` and Next.js 16's `cacheHandlers` contract
 * (`next/dist/server/lib/cache-handlers/types.d.ts`), both ways:
 *
 * - `fromNextCacheHandler(h)`: a handler written for Next.js (its built-in one, or one from npm)
 *   stores this runtime's entries.
 * - `toNextCacheHandler(h)`: this package's memory, filesystem or Redis handler serves a Next.js
 *   16 app (`cacheHandlers: { default: './cache-handler.mjs' }` in next.config).
 *
 * The two contracts differ in four ways the adapters bridge: Next.js hands values over as
 * `ReadableStream`s (one stream per read, a *promise* of the entry on write), refreshes a
 * handler's tag manifest before it reads (`refreshTags`), checks an entry's own tags inside `get`
 * (a stale tag comes back as `revalidate: -1`, an expired one as a miss), and stamps tag updates
 * with its own clock (`updateTags(tags, durations?)`, no timestamp).
 */
import { nameHandler } from '../events.js';
import { errorMessage, handlerDebug } from './handler-debug.js';
import { claimFill, type SafeCall } from '../lease.js';
import { hasMethods } from './shape.js';
import { tagMarks, type TagTimes } from './tag-times.js';
import type { CacheEntry, CacheHandler } from './types.js';

/** An entry as Next.js 16 hands it over: lives in seconds, `timestamp` in ms. */
export interface NextCacheEntry {
  value: ReadableStream<Uint8Array>;
  tags: string[];
  stale: number;
  timestamp: number;
  expire: number;
  revalidate: number;
}

/** Next.js 16's `cacheHandlers` contract (what `next.config`'s `cacheHandlers` modules export). */
export interface NextCacheHandler {
  get(cacheKey: string, softTags: string[]): Promise<NextCacheEntry | undefined>;
  set(cacheKey: string, pendingEntry: Promise<NextCacheEntry>): Promise<void>;
  refreshTags(): Promise<void>;
  getExpiration(tags: string[]): Promise<number>;
  updateTags(tags: string[], durations?: { expire?: number }): Promise<void>;
}

/** A new stream over `bytes` (each read of an entry gets its own: a stream is read once). */
function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  // A copy: the reader may keep or alter its chunks; the stored bytes stay as they were.
  const chunk = bytes.slice();
  return new ReadableStream({
    start(controller) {
      controller.enqueue(chunk);
      controller.close();
    },
  });
}

/** All of a stream's bytes; rejects when the stream errors (partial data is never kept). */
async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Next.js stamps entries with `performance.timeOrigin + performance.now()`, this runtime with
 * `Date.now()`; the two drift apart by milliseconds. A revalidation stamped with the later of
 * them is never before an entry either clock stamped before it.
 */
function revalidationTime(): number {
  return Math.max(Date.now(), Math.ceil(performance.timeOrigin + performance.now()));
}

/**
 * A tag time from a Next.js handler this far ahead of `Date.now()` is a scheduled expiry, not a
 * revalidation; closer, it is clock drift and rounding (the two clocks differ by about a ms).
 */
const CLOCK_TOLERANCE_MS = 500;

/** How long `toNextCacheHandler` remembers a lease Next.js never stored an entry for. */
const LEASE_MEMORY_MS = 60_000;

function isNextHandler(value: unknown): value is NextCacheHandler {
  return hasMethods(value, ['get', 'set', 'getExpiration', 'updateTags']);
}

// --- Next.js handler -> this runtime ---------------------------------------------------------

/**
 * A handler written for Next.js 16's `cacheHandlers` as a handler of this runtime:
 * `configureCache({ handlers: { default: fromNextCacheHandler(handler) } })`.
 *
 * Its semantics are kept: `refreshTags()` runs before reads (concurrent reads share one refresh),
 * every entry reaches it as a fresh stream inside a resolved promise, its verdict on an entry's
 * tags is final (a miss, or `revalidate: -1` which this runtime serves once as stale while it
 * refreshes), and a `getExpiration` of `Infinity` ("I check tags in `get`") counts as no
 * revalidation known. Tag updates are stamped by the Next.js handler's own clock.
 */
export function fromNextCacheHandler(next: NextCacheHandler): CacheHandler {
  if (!isNextHandler(next)) {
    throw new TypeError(
      'fromNextCacheHandler: expected a Next.js 16 cache handler (get, set, getExpiration, updateTags; refreshTags optional).',
    );
  }
  let refreshing: Promise<void> | undefined;
  /** Next.js refreshes a handler's tags before it reads; reads that overlap share one refresh. */
  function refreshTags(): Promise<void> {
    if (typeof next.refreshTags !== 'function') return Promise.resolve();
    if (refreshing !== undefined) return refreshing;
    const current = (refreshing = Promise.resolve(next.refreshTags()).finally(() => {
      if (refreshing === current) refreshing = undefined;
    }));
    return current;
  }

  return nameHandler(
    {
      async get(key) {
        await refreshTags();
        const found = await next.get(key, []);
        if (found === undefined || found === null) return undefined;
        const { value, tags, timestamp, stale, revalidate, expire } = found;
        return { value: await bytesOf(value), tags: [...tags], timestamp, stale, revalidate, expire };
      },
      async set(key, entry) {
        const { tags, timestamp, stale, revalidate, expire } = entry;
        await next.set(
          key,
          Promise.resolve({ value: streamOf(entry.value), tags: [...tags], timestamp, stale, revalidate, expire }),
        );
      },
      async getTagTimes(tags) {
        if (tags.length === 0) return [];
        await refreshTags();
        // Next.js's contract has one time per set of tags (`getExpiration`): ask per tag. Its stale
        // marks stay inside the handler, whose `get` already answered `revalidate: -1` for them.
        return Promise.all(
          tags.map(async (tag): Promise<TagTimes> => {
            const expiration = await next.getExpiration([tag]);
            // Infinity: the handler checks tags in `get`, which already ran.
            if (typeof expiration !== 'number' || !Number.isFinite(expiration) || expiration <= 0) {
              return { stale: 0, expired: 0 };
            }
            // A time far ahead is the deadline of a stale-marking revalidation (`updateTags(tags,
            // { expire })`), which counts once it has passed; a time just ahead is clock drift and
            // rounding: an expiry in effect now (`expired <= stale`).
            return expiration > Date.now() + CLOCK_TOLERANCE_MS
              ? { stale: 0, expired: expiration }
              : { stale: expiration, expired: expiration };
          }),
        );
      },
      async updateTags(tags, _timestamp, durations) {
        await (durations === undefined ? next.updateTags([...tags]) : next.updateTags([...tags], { ...durations }));
        // Next.js handlers stamp the revalidation `Math.round(performance.timeOrigin +
        // performance.now())`, up to half a millisecond ahead, and ignore it until their clock gets
        // there: a read in the same millisecond would still see the entry as fresh.
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
    },
    'next',
  );
}

// --- This runtime's handler -> Next.js --------------------------------------------------------

/**
 * One of this package's handlers (memory, filesystem, Redis) as a Next.js 16 cache handler. In
 * the module named in `next.config`'s `cacheHandlers`:
 *
 * ```js
 * export default toNextCacheHandler(createRedisHandler({ url: process.env.REDIS_URL }));
 * ```
 *
 * `get` applies the entry's tags (an entry revalidated since it was stored is a miss), `set` waits
 * for the pending entry and reads its stream once, a `get` during a `set` of the same key waits
 * for it, and `updateTags` records the revalidation (stale-marking ones included: Next.js's
 * `durations`) in the shared store, so every instance using the same Redis sees it.
 */
export function toNextCacheHandler(handler: CacheHandler): NextCacheHandler {
  if (typeof handler !== 'object' || handler === null || typeof handler.get !== 'function') {
    throw new TypeError('toNextCacheHandler: expected a cache handler of babel-plugin-use-cache.');
  }
  /** Writes in progress, so that a read of the same key waits for them (Next.js's contract). */
  const pendingSets = new Map<string, Promise<void>>();
  /** Fill leases this instance holds (a miss it computes), released once the entry is stored. */
  const heldLeases = new Map<string, () => void>();
  const log = handlerDebug('toNextCacheHandler', undefined);
  const safeCall: SafeCall = (op, run, fallback) =>
    Promise.resolve()
      .then(() => run(handler))
      .catch((error: unknown) => {
        log(`${op} failed: ${errorMessage(error)}`);
        return fallback;
      });

  /** `entry` as Next.js gets it, or `undefined` when its tags were revalidated since it was made. */
  async function served(entry: CacheEntry | undefined): Promise<NextCacheEntry | undefined> {
    if (entry === undefined) return undefined;
    let { revalidate } = entry;
    if (entry.tags.length !== 0) {
      // Next.js's rule, as its built-in handler applies it: an expired tag is a miss, a stale
      // one is served once more with `revalidate: -1` (Next.js then refreshes it).
      const marks = tagMarks(await handler.getTagTimes(entry.tags), revalidationTime());
      if (entry.timestamp <= marks.expired) return undefined;
      if (entry.timestamp <= marks.stale) revalidate = -1;
    }
    const { value, tags, timestamp, stale, expire } = entry;
    return { value: streamOf(value), tags: [...tags], timestamp, stale, revalidate, expire };
  }

  /**
   * A miss. With a handler that leases fills (Redis, filesystem), one instance computes it: this
   * one (Next.js computes, then `set` releases the lease), or another, whose entry is returned
   * once stored (waiting at most the lease time, then computing here).
   */
  async function miss(cacheKey: string, missed: CacheEntry | undefined): Promise<NextCacheEntry | undefined> {
    const before = missed?.timestamp ?? 0;
    const claim = await claimFill(
      safeCall,
      handler,
      cacheKey,
      (e): e is CacheEntry => e !== undefined && e.timestamp > before,
    );
    if (claim.entry !== undefined) return served(claim.entry);
    heldLeases.get(cacheKey)?.();
    heldLeases.set(cacheKey, claim.release);
    // Next.js may not store what it computed (an error, a dynamic entry): the lease lapses by
    // itself then; this only forgets it.
    setTimeout(
      () => heldLeases.get(cacheKey) === claim.release && heldLeases.delete(cacheKey),
      LEASE_MEMORY_MS,
    ).unref();
    return undefined;
  }

  function releaseLease(cacheKey: string): void {
    const release = heldLeases.get(cacheKey);
    heldLeases.delete(cacheKey);
    release?.();
  }

  return {
    async get(cacheKey) {
      const pending = pendingSets.get(cacheKey);
      if (pending !== undefined) await pending;
      const entry = await handler.get(cacheKey);
      return (await served(entry)) ?? miss(cacheKey, entry);
    },
    async set(cacheKey, pendingEntry) {
      const write = (async () => {
        const entry = await pendingEntry;
        // A stream that errors delivers partial data: such an entry is dropped, never stored.
        const value = await bytesOf(entry.value);
        const stored: CacheEntry = {
          value,
          tags: [...entry.tags],
          timestamp: entry.timestamp,
          stale: entry.stale,
          revalidate: entry.revalidate,
          expire: entry.expire,
        };
        await handler.set(cacheKey, stored);
      })();
      const settled = write.then(
        () => releaseLease(cacheKey),
        () => releaseLease(cacheKey),
      );
      pendingSets.set(cacheKey, settled);
      try {
        await write;
      } catch (error) {
        // As Next.js's own handler does: a failed write is logged, never thrown into a render.
        log(`set failed, nothing stored: ${errorMessage(error)}`);
      } finally {
        if (pendingSets.get(cacheKey) === settled) pendingSets.delete(cacheKey);
      }
    },
    async refreshTags() {
      // Nothing to refresh: tag times are read from the store on every lookup.
    },
    async getExpiration(tags) {
      // As Next.js's built-in handler: the latest `expired` time of any of the tags.
      if (tags.length === 0) return 0;
      return Math.max(0, ...(await handler.getTagTimes(tags)).map((t) => t.expired));
    },
    async updateTags(tags, durations) {
      await handler.updateTags(tags, revalidationTime(), durations);
    },
  };
}
