/**
 * The default cache handler: an in-process LRU bounded by bytes.
 *
 * Each entry is charged its value bytes plus an estimate of what else it costs in memory (the
 * key, the tags, the entry object and the Map slot). When the total passes `maxBytes`, the least
 * recently used entries are dropped. An entry larger than the whole budget is not stored.
 * Tag revalidation times live in a bounded Map (`TagManifest`: O(number of tags) per call, never
 * O(entries)).
 */
import { emitOther, nameHandler } from '../events.js';
import { checkDurations, TagManifest, type TagDurations, type TagMarks } from './tag-times.js';
import type { CacheEntry, CacheHandler } from './types.js';

export interface MemoryHandlerOptions {
  /** Budget for stored entries, in bytes. Default 50 MB. */
  maxBytes?: number;
  /** Most tag revalidation times kept (older ones are forgotten conservatively). Default 100,000. */
  maxTags?: number;
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

/**
 * Fixed cost of one entry besides its value bytes, key and tags: the entry and slot objects, the
 * Map slot, the Uint8Array and ArrayBuffer objects with their off-heap bookkeeping, the tags array
 * and boxed numbers. Measured with Node 20 (200-byte values, 64-character keys): ~670 bytes of
 * heap and array buffers beyond the value, ~1,050 bytes of RSS; charged: 640 + 2 per key
 * character + 32 + 2 per tag character, so the budget tracks real memory, not just value bytes.
 */
const ENTRY_OVERHEAD = 640;
const TAG_OVERHEAD = 32;

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
 * handler call costs more than the rest of a hit). Same semantics as `get` / `getTagTimes` /
 * `updateTags`.
 */
export interface SyncAccess {
  get(key: string): CacheEntry | undefined;
  /** The marks of `tags` read at `now`, folded into `marks`. */
  tagMarks(tags: readonly string[], now: number, marks: TagMarks): TagMarks;
  updateTags(tags: readonly string[], timestamp: number, durations?: TagDurations): void;
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
  const tagTimes = new TagManifest(options.maxTags);
  let size = 0;

  // One long-lived iterator walks from the oldest entry: a new iterator per eviction would first
  // step over every slot deleted since the Map last compacted (quadratic under steady eviction).
  // Everything before its position has been evicted and insertions go to the end, so it always
  // stands at the oldest live entry; once done, a fresh one starts from the beginning.
  let oldest: MapIterator<[string, Slot]> = entries.entries();

  function evict(): void {
    while (size > maxBytes) {
      let next = oldest.next();
      if (next.done) {
        oldest = entries.entries();
        next = oldest.next();
        if (next.done) return;
      }
      const [key, slot] = next.value;
      entries.delete(key);
      size -= slot.bytes;
      emitOther('evict', { reason: 'lru', key, handler, bytes: slot.bytes });
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

  const tagMarks = (tags: readonly string[], now: number, marks: TagMarks): TagMarks =>
    tagTimes.marks(tags, now, marks);
  const updateTags = (tags: readonly string[], timestamp: number, durations?: TagDurations): void =>
    tagTimes.update(tags, timestamp, checkDurations(durations));

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
    async getTagTimes(tags) {
      return tags.map((tag) => ({ ...tagTimes.get(tag) }));
    },
    async updateTags(tags, timestamp, durations) {
      updateTags(tags, timestamp, durations);
    },
    clear() {
      entries.clear();
      oldest = entries.entries();
      tagTimes.clear();
      size = 0;
    },
    async close() {
      handler.clear();
    },
  };
  syncAccess.set(handler, { get, tagMarks, updateTags });
  return nameHandler(handler, 'memory');
}
