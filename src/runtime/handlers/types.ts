/**
 * The contract between the cache runtime and a storage backend.
 *
 * The runtime owns the semantics (keys, freshness, tags, nesting); a handler only stores bytes
 * and tag timestamps. Every method may throw or reject: the runtime treats a failing handler as
 * a miss (get), a dropped write (set) or "no invalidation known" (getExpiration), reports it once
 * through the debug log and never fails the user's call because of it.
 */

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
   * The latest time (ms) at which any of `tags` was revalidated, or 0 when none was.
   * An entry whose `timestamp` is not after this time is stale and must be computed anew.
   * Must cost O(number of tags), never O(number of entries).
   */
  getExpiration(tags: readonly string[]): Promise<number>;
  /** Record that `tags` were revalidated at `timestamp` (ms). One write, whatever the entry count. */
  updateTags(tags: readonly string[], timestamp: number): Promise<void>;
  /** Release connections, timers and files. Optional. */
  close?(): Promise<void>;
}
