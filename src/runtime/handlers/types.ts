/**
 * The contract between the cache runtime and a storage backend.
 *
 * The runtime owns the semantics (keys, freshness, tags, nesting); a handler only stores bytes
 * and tag times. Every method may throw or reject: the runtime treats a failing handler as a miss
 * (get), a dropped write (set) or "no revalidation known" (getTagTimes), reports it once through
 * the debug log and never fails the user's call because of it.
 *
 * Tags follow Next.js 16's tags manifest (see `tag-times.ts`): per tag a `stale` and an `expired`
 * time, written by `updateTags(tags, timestamp, durations?)`, read by `getTagTimes(tags)`; the
 * runtime compares them with an entry's `timestamp` on every read.
 */
import type { TagDurations, TagTimes } from './tag-times.js';

export type { TagDurations, TagTimes };

/** One stored result of a cached function. Times are milliseconds, lives are seconds. */
export interface CacheEntry {
  /** The result as the bytes of a React Flight stream. */
  value: Uint8Array;
  /** Tags given with `cacheTag` in this entry's scope and in the caches it called. */
  tags: string[];
  /** When the entry was computed (the runtime's clock, ms since the epoch). */
  timestamp: number;
  /** Seconds a client may use the value without asking again (`cacheLife().stale`). */
  stale: number;
  /** Seconds after `timestamp` during which the entry is fresh. */
  revalidate: number;
  /** Seconds after `timestamp` after which the entry must not be served at all. */
  expire: number;
}

export interface CacheHandler {
  /**
   * The entry stored under `key`, or `undefined`. Handlers return entries as stored: they do not
   * apply freshness or tag rules (the runtime does), but they may drop entries whose `expire`
   * has passed.
   */
  get(key: string): Promise<CacheEntry | undefined>;
  /** Store `entry` under `key`, replacing what was there. */
  set(key: string, entry: CacheEntry): Promise<void>;
  /**
   * The revalidation times of each of `tags`, in the same order (`{ stale: 0, expired: 0 }` for a
   * tag never revalidated). Must cost O(number of tags), never O(number of entries).
   */
  getTagTimes(tags: readonly string[]): Promise<TagTimes[]>;
  /**
   * Record a revalidation of `tags` at `timestamp` (ms), applying `updatedTagTimes` per tag:
   * without `durations` the tags expire at `timestamp` (`updateTag`, one-argument
   * `revalidateTag`); with them they are stale from `timestamp` and, when `durations.expire` is
   * given, expire `expire` seconds later (`revalidateTag(tag, profile)`). One write per tag,
   * whatever the entry count.
   */
  updateTags(tags: readonly string[], timestamp: number, durations?: TagDurations): Promise<void>;
  /** Release connections, timers and files. Optional. */
  close?(): Promise<void>;
  /**
   * Largest `entry.value` (bytes) worth storing. The runtime does not `set` a larger value (it
   * returns it to the caller and says so in the debug log); the handler drops one it is given
   * anyway. Optional: no limit when absent.
   */
  readonly maxEntryBytes?: number;
  /**
   * Single flight across instances, optional (both or neither). Before computing `key`, the
   * runtime claims its fill: a claim with a `token` means this caller holds the lease and
   * computes; it calls `releaseLease(key, token)` once its entry is stored (or its fill failed).
   * A claim without a token means another instance holds it: the runtime reads `key` until an
   * entry newer than the one it missed appears, claiming again between reads (the holder may
   * release without storing, or die: its lease then lapses after `ttlMs`), and computes itself
   * when `ttlMs` has passed. A lease never blocks longer than `ttlMs`, and a failing lease call
   * is treated as "no lease": the caller computes.
   */
  acquireLease?(key: string): Promise<LeaseClaim>;
  /** Give up the lease on `key` if `token` still holds it (a lapsed lease may have a new holder). */
  releaseLease?(key: string, token: string): Promise<void>;
}

/** The answer to `acquireLease`. */
export interface LeaseClaim {
  /** Set when this caller now holds the lease. */
  token?: string;
  /** How long the lease lasts, in ms from the claim: the holder's time to store its entry. */
  ttlMs: number;
  /**
   * With a token, optionally: `key`'s entry (or `null`: none) read in the same step as the claim.
   * The runtime then skips its own re-read of the key.
   */
  entry?: CacheEntry | null;
}
