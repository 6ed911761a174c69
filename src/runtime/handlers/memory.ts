/**
 * The default cache handler: an in-process LRU bounded by bytes.
 *
 * Each entry is charged its value bytes plus an estimate of what else it costs in memory (the
 * key, the tags, the entry object and the Map slot). When the total passes `maxBytes`, the least
 * recently used entries are dropped. An entry larger than the whole budget is not stored.
 * Tag revalidation times live in a Map (O(number of tags) per call, never O(entries)).
 */
import type { CacheEntry, CacheHandler } from './types.js';

export interface MemoryHandlerOptions {
  /** Budget for stored entries, in bytes. Default 50 MB. */
  maxBytes?: number;
}

export interface MemoryHandler extends CacheHandler {
  /** Bytes charged for the entries held now (always <= maxBytes). */
  readonly size: number;
  /** Number of entries held now. */
  readonly count: number;
  readonly maxBytes: number;
  /** Drop every entry and tag time. */
  clear(): void;
}

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

/** Fixed cost of one entry besides its value, key and tags: entry object, Map slot, array, numbers. */
const ENTRY_OVERHEAD = 160;
const TAG_OVERHEAD = 16;

interface Slot {
  entry: CacheEntry;
  bytes: number;
  /** Insertion sequence number: the Map's order is the order of these. */
  seq: number;
}

export function entryCost(key: string, entry: CacheEntry): number {
  let bytes = ENTRY_OVERHEAD + entry.value.byteLength + 2 * key.length;
  for (const tag of entry.tags) bytes += TAG_OVERHEAD + 2 * tag.length;
  return bytes;
}

/**
 * Synchronous access to a memory handler's entries, for the runtime's hit path (a promise per
 * handler call costs more than the rest of a hit). Same semantics as `get` / `getExpiration`.
 */
export interface SyncAccess {
  get(key: string): CacheEntry | undefined;
  getExpiration(tags: readonly string[]): number;
  updateTags(tags: readonly string[], timestamp: number): void;
}
const syncAccess = new WeakMap<CacheHandler, SyncAccess>();

/** The synchronous access of a handler made by `createMemoryHandler`, else `undefined`. */
export function syncAccessOf(handler: CacheHandler): SyncAccess | undefined {
  return syncAccess.get(handler);
}

export function createMemoryHandler(options: MemoryHandlerOptions = {}): MemoryHandler {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (typeof maxBytes !== 'number' || !(maxBytes > 0)) {
    throw new TypeError('createMemoryHandler: maxBytes must be a number > 0.');
  }
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  const entries = new Map<string, Slot>();
  const tagTimes = new Map<string, number>();
  let size = 0;

  function evict(): void {
    for (const [key, slot] of entries) {
      if (size <= maxBytes) break;
      entries.delete(key);
      size -= slot.bytes;
    }
  }

  let seq = 0;

  function get(key: string): CacheEntry | undefined {
    const slot = entries.get(key);
    if (slot === undefined) return undefined;
    // Move to the most recent end only from the older half: hot entries are not moved on every
    // read, and an entry read since it entered the older half is never the next one evicted.
    if (seq - slot.seq > entries.size >> 1) {
      entries.delete(key);
      slot.seq = ++seq;
      entries.set(key, slot);
    }
    return slot.entry;
  }

  function getExpiration(tags: readonly string[]): number {
    let latest = 0;
    for (const tag of tags) {
      const t = tagTimes.get(tag);
      if (t !== undefined && t > latest) latest = t;
    }
    return latest;
  }

  function updateTags(tags: readonly string[], timestamp: number): void {
    for (const tag of tags) {
      const previous = tagTimes.get(tag);
      if (previous === undefined || timestamp > previous) tagTimes.set(tag, timestamp);
    }
  }

  const handler: MemoryHandler = {
    get size() {
      return size;
    },
    get count() {
      return entries.size;
    },
    maxBytes,
    async get(key) {
      return get(key);
    },
    async set(key, entry) {
      const previous = entries.get(key);
      if (previous !== undefined) {
        entries.delete(key);
        size -= previous.bytes;
      }
      const bytes = entryCost(key, entry);
      if (bytes > maxBytes) return;
      entries.set(key, { entry, bytes, seq: ++seq });
      size += bytes;
      if (size > maxBytes) evict();
    },
    async getExpiration(tags) {
      return getExpiration(tags);
    },
    async updateTags(tags, timestamp) {
      updateTags(tags, timestamp);
    },
    clear() {
      entries.clear();
      tagTimes.clear();
      size = 0;
    },
    async close() {
      entries.clear();
      tagTimes.clear();
      size = 0;
    },
  };
  syncAccess.set(handler, { get, getExpiration, updateTags });
  return handler;
}
