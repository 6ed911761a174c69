/**
 * Revalidation times per tag, as Next.js 16's tags manifest keeps them, and the one rule every
 * handler applies when a tag is revalidated (`updateTags`).
 *
 * Per tag two times (ms since the epoch, 0 = never):
 * - `stale`: entries made at or before it are stale: served once more while a background refresh
 *   runs (`revalidateTag(tag, profile)`).
 * - `expired`: once it has passed, entries made at or before it are expired: a read waits for a
 *   fresh value (`updateTag(tag)`, `revalidateTag(tag)`, or the deadline `profile.expire` seconds
 *   after `revalidateTag(tag, profile)`).
 *
 * The rule (`updatedTagTimes`), as Next.js 16's default handler applies it:
 * - without durations (expire at once): `expired = timestamp`;
 * - with durations: `stale = timestamp`, and `expired = timestamp + durations.expire * 1000` when
 *   `expire` is given (a later deadline replaces an earlier one, as in Next.js).
 * One addition, invisible to reads: an immediate expiry also raises `stale` to its time. Then a
 * stored `expired <= stale` always means "an expiry that took effect", `expired > stale` "a
 * deadline still ahead", and a store can keep the later of two expiries (a slower clock on another
 * instance never lowers one) while a deadline is still replaced by an immediate expiry.
 */

/** One tag's revalidations (ms since the epoch; 0 = never). */
export interface TagTimes {
  /** Entries made at or before this time are stale (served once more, refreshed in the background). */
  stale: number;
  /** Once this time has passed, entries made at or before it are expired (reads wait for a fresh value). */
  expired: number;
}

/** Next.js 16's `durations` argument of `updateTags`: `expire` in seconds after the revalidation. */
export interface TagDurations {
  expire?: number;
}

/** The times of a tag never revalidated. */
export const NEVER_REVALIDATED: Readonly<TagTimes> = Object.freeze({ stale: 0, expired: 0 });

/** The times of a tag after `updateTags([tag], timestamp, durations)`, given its current times. */
export function updatedTagTimes(current: Readonly<TagTimes>, timestamp: number, durations?: TagDurations): TagTimes {
  const stale = Math.max(current.stale, timestamp);
  if (durations === undefined) {
    // A deadline still ahead is replaced by this expiry; an expiry already in effect keeps the later time.
    const expired = current.expired > current.stale ? timestamp : Math.max(current.expired, timestamp);
    return { stale, expired };
  }
  const expired = durations.expire === undefined ? current.expired : timestamp + durations.expire * 1000;
  return { stale, expired };
}

/** Validates `durations` as `updateTags` receives it (a handler may call this first). */
export function checkDurations(durations: unknown): TagDurations | undefined {
  if (durations === undefined) return undefined;
  const expire = (durations as TagDurations | null)?.expire;
  if (typeof durations !== 'object' || durations === null || (expire !== undefined && !(expire >= 0))) {
    throw new TypeError('updateTags: durations must be { expire?: number of seconds >= 0 }.');
  }
  return durations as TagDurations;
}

/**
 * What a set of tags means for an entry read at `now`: the latest `stale` of any tag, and the
 * latest `expired` of any tag that has passed. An entry is expired when its timestamp is at or
 * before `expired`, else stale when at or before `stale`.
 */
export interface TagMarks {
  stale: number;
  expired: number;
}

/**
 * Fold one tag's times into `marks` as read at `now`. An `expired` time counts once it has passed,
 * or at once when it is an expiry that took effect (`expired <= stale`: recorded by an immediate
 * revalidation, which the runtime may stamp a millisecond ahead of its clock).
 */
export function addTagTimes(marks: TagMarks, times: Readonly<TagTimes>, now: number): void {
  if (times.stale > marks.stale) marks.stale = times.stale;
  if (times.expired > marks.expired && (times.expired <= now || times.expired <= times.stale)) {
    marks.expired = times.expired;
  }
}

/** The marks of `times` (one per tag) read at `now`. */
export function tagMarks(times: readonly Readonly<TagTimes>[], now: number): TagMarks {
  const marks = { stale: 0, expired: 0 };
  for (const t of times) addTagTimes(marks, t, now);
  return marks;
}

// --- Text form (filesystem and Redis) ---------------------------------------------------------

/** `"<expired> <stale>"`: what the filesystem and Redis handlers store per tag. */
export function formatTagTimes(times: Readonly<TagTimes>): string {
  return `${times.expired} ${times.stale}`;
}

/**
 * The times in `text`, or `undefined` when it is not readable. A lone number (the format before
 * stale times existed) was an immediate expiry at that time.
 */
export function parseTagTimes(text: string): TagTimes | undefined {
  const parts = text.trim().split(' ');
  if (parts.length > 2) return undefined;
  const expired = Number(parts[0]);
  const stale = parts.length === 2 ? Number(parts[1]) : expired;
  if (parts[0] === '' || parts[1] === '') return undefined;
  if (!(Number.isFinite(expired) && expired >= 0 && Number.isFinite(stale) && stale >= 0)) return undefined;
  return { stale, expired };
}

// --- A bounded in-memory manifest -------------------------------------------------------------

/** How many tags a memory handler (and the runtime's local overlay) keeps by default. */
export const DEFAULT_MAX_TAGS = 100_000;

/**
 * Revalidation times per tag in memory, bounded: past `maxTags` the oldest records are forgotten
 * into a floor that every lookup of a tag not in the map returns. Forgetting is conservative: a
 * forgotten expiry stays in the floor, and a forgotten deadline still ahead becomes an expiry at
 * its stale time (needless recomputation at worst, never a value served when it must not be).
 */
export class TagManifest {
  private readonly times = new Map<string, TagTimes>();
  private oldest = this.times.entries();
  private floor: TagTimes = NEVER_REVALIDATED;
  constructor(private readonly maxTags = DEFAULT_MAX_TAGS) {
    if (!(maxTags >= 1)) throw new TypeError('maxTags must be a number >= 1.');
  }

  get size(): number {
    return this.times.size;
  }

  /** The times of `tag` (the floor when it is not known). */
  get(tag: string): Readonly<TagTimes> {
    return this.times.get(tag) ?? this.floor;
  }

  /** The marks of `tags` read at `now`, folded into `marks` (fresh ones by default). */
  marks(tags: readonly string[], now: number, marks: TagMarks = { stale: 0, expired: 0 }): TagMarks {
    for (const tag of tags) addTagTimes(marks, this.get(tag), now);
    return marks;
  }

  update(tags: readonly string[], timestamp: number, durations?: TagDurations): void {
    for (const tag of tags) {
      const next = updatedTagTimes(this.get(tag), timestamp, durations);
      this.times.delete(tag); // the most recent record goes to the end
      this.times.set(tag, next);
    }
    while (this.times.size > this.maxTags) {
      // A long-lived iterator, as for the memory handler's entries: it stands at the oldest record.
      let next = this.oldest.next();
      if (next.done) next = (this.oldest = this.times.entries()).next();
      const [tag, times] = next.value!;
      this.times.delete(tag);
      this.forget(times);
    }
  }

  private forget(times: TagTimes): void {
    const expiry = times.expired <= times.stale ? times.expired : times.stale;
    this.floor = {
      stale: Math.max(this.floor.stale, times.stale),
      expired: Math.max(this.floor.expired, expiry),
    };
  }

  clear(): void {
    this.times.clear();
    this.oldest = this.times.entries();
    this.floor = NEVER_REVALIDATED;
  }
}

// --- Updates not yet written (a store that was down) -------------------------------------------

/**
 * The updates of one tag a handler could not write yet, compacted to at most an immediate expiry
 * followed by a stale-marking: applied in that order to the stored times they have the effect of
 * the whole sequence (timestamps of one process only grow).
 */
export interface PendingTagUpdate {
  expiry?: number;
  marking?: { timestamp: number; durations: TagDurations };
}

export function addPendingUpdate(
  pending: PendingTagUpdate | undefined,
  timestamp: number,
  durations?: TagDurations,
): PendingTagUpdate {
  if (durations === undefined) return { expiry: Math.max(pending?.expiry ?? 0, timestamp) };
  // A marking with a deadline replaces the expiry it would overwrite anyway.
  const expiry = durations.expire === undefined ? pending?.expiry : undefined;
  return expiry === undefined ? { marking: { timestamp, durations } } : { expiry, marking: { timestamp, durations } };
}

/** `times` once `pending` is applied. */
export function applyPendingUpdate(times: Readonly<TagTimes>, pending: PendingTagUpdate): TagTimes {
  let out: TagTimes = times;
  if (pending.expiry !== undefined) out = updatedTagTimes(out, pending.expiry);
  if (pending.marking !== undefined) out = updatedTagTimes(out, pending.marking.timestamp, pending.marking.durations);
  return { ...out };
}
