/**
 * Whether a stored entry may be served: its own life (`revalidate`, `expire`) and the
 * revalidations of its tags (Next.js 16's stale and expired times per tag, see
 * handlers/tag-times.ts), as known to this process and to the entry's handler.
 */
import { callHandler } from './config.js';
import type { SyncAccess } from './handlers/memory.js';
import { addTagTimes, type TagMarks } from './handlers/tag-times.js';
import type { CacheEntry, CacheHandler } from './handlers/types.js';
import { addRequestMarks } from './request-scope.js';
import { localTagMarks } from './tags.js';

/**
 * `fresh`: served. `stale`: served once more while a background refresh runs (past `revalidate`,
 * or a tag marked stale by `revalidateTag(tag, profile)`). `expired`: past its own `expire`.
 * `revalidated`: a tag expired after the entry was made (`updateTag`, `revalidateTag(tag)`, or a
 * profile's deadline that has passed). The last two are computed anew before the call returns.
 */
export type Freshness = 'fresh' | 'stale' | 'expired' | 'revalidated';

/**
 * The marks of `entry`'s tags read at `now`: this process's own revalidations first (the current
 * request's count as expiries: it reads its own writes), then the handler's (skipped when this
 * process already knows the entry expired).
 */
export function entryTagMarks(
  kind: string,
  handler: CacheHandler,
  sync: SyncAccess | undefined,
  entry: CacheEntry,
  now: number,
): TagMarks | Promise<TagMarks> {
  const marks = localTagMarks(entry.tags, now);
  addRequestMarks(entry.tags, marks);
  if (entry.timestamp <= marks.expired) return marks;
  if (sync !== undefined) return sync.tagMarks(entry.tags, now, marks);
  return callHandler(kind, handler, 'getTagTimes', (h) => h.getTagTimes(entry.tags), []).then((times) => {
    // A handler's answer is data from outside: anything but an array of times counts as none.
    if (Array.isArray(times)) {
      for (const t of times) {
        if (typeof t === 'object' && t !== null && typeof t.stale === 'number' && typeof t.expired === 'number') {
          addTagTimes(marks, t, now);
        }
      }
    }
    return marks;
  });
}

/**
 * The marks for an entry another instance stored while this one waited for a fill lease: this
 * process's own revalidations of its tags, and `observed`, the latest one seen before the fill.
 */
export function leaseMarks(entry: CacheEntry, observed: number, now: number): TagMarks {
  const marks = localTagMarks(entry.tags, now);
  addRequestMarks(entry.tags, marks);
  if (observed > marks.stale) marks.stale = observed;
  if (observed > marks.expired) marks.expired = observed;
  return marks;
}

export function freshness(entry: CacheEntry, marks: TagMarks | undefined, now: number): Freshness {
  if (marks !== undefined && entry.timestamp <= marks.expired) return 'revalidated';
  const age = now - entry.timestamp;
  if (age < entry.revalidate * 1000 && (marks === undefined || entry.timestamp > marks.stale)) return 'fresh';
  return age < entry.expire * 1000 ? 'stale' : 'expired';
}

/** Whether a handler's answer has the shape of an entry (it is data from outside). */
export function isEntry(entry: unknown): entry is CacheEntry {
  const e = entry as CacheEntry;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.value instanceof Uint8Array &&
    Array.isArray(e.tags) &&
    typeof e.timestamp === 'number' &&
    typeof e.revalidate === 'number' &&
    typeof e.expire === 'number' &&
    typeof e.stale === 'number'
  );
}
