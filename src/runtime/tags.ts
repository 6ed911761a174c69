/**
 * Tags: `cacheTag()` inside a cached function, `revalidateTag()` anywhere.
 *
 * Invalidation costs O(1) in the number of entries: `revalidateTag` records "tag revalidated at
 * time T" (stale from T, expired from T or from a deadline; see handlers/tag-times.ts) in every
 * configured handler (`updateTags`) and in a process-local manifest; an entry is checked when it
 * is read (freshness.ts).
 */
import { allHandlers, callHandler, now } from './config.js';
import { debug, describeError } from './debug.js';
import { emitOther } from './events.js';
import { syncAccessOf } from './handlers/memory.js';
import { TagManifest, type TagDurations, type TagMarks } from './handlers/tag-times.js';
import { trackBackground } from './flush.js';
import { noteRequestRevalidation } from './request-scope.js';
import { requireScope } from './scope.js';

export const MAX_TAG_LENGTH = 256;
export const MAX_TAGS = 128;

/** Revalidation times per tag made by this process (survive a failing handler). */
const localTagTimes = new TagManifest();
/** Bumped by every `revalidateTag`; a fill compares it to know whether one happened meanwhile. */
let revision = 0;
/** Time of the latest `revalidateTag` in this process. */
let lastRevalidation = 0;
/** The latest entry timestamp issued ahead of the clock by `entryTimestamp`. */
let stampedAhead = 0;

type TagInput = string | readonly TagInput[];

function flatten(input: readonly TagInput[], api: string, out: string[] = []): string[] {
  for (const tag of input) {
    if (Array.isArray(tag)) flatten(tag as readonly TagInput[], api, out);
    else out.push(validateTag(tag, api));
  }
  return out;
}

function validateTag(tag: unknown, api: string): string {
  if (typeof tag !== 'string') {
    throw new TypeError(`${api}: tags must be strings, got ${tag === null ? 'null' : typeof tag}.`);
  }
  if (tag.length === 0) throw new TypeError(`${api}: a tag must not be empty.`);
  if (tag.length > MAX_TAG_LENGTH) {
    throw new TypeError(
      `${api}: tag "${tag.slice(0, 40)}..." is ${tag.length} characters long; the limit is ${MAX_TAG_LENGTH}.`,
    );
  }
  return tag;
}

/**
 * Tag the enclosing cached function's entry (strings or arrays of strings; case-sensitive;
 * repeating a tag changes nothing). At most 128 tags per entry, 256 characters each.
 */
export function cacheTag(...tags: TagInput[]): void {
  const scope = requireScope('cacheTag');
  const list = new Set(flatten(tags, 'cacheTag'));
  let added = 0;
  for (const tag of list) if (!scope.tags.has(tag)) added++;
  if (scope.tags.size + added > MAX_TAGS) {
    throw new RangeError(
      `cacheTag: "${scope.name}" would carry ${scope.tags.size + added} tags; the limit is ${MAX_TAGS} per entry.`,
    );
  }
  for (const tag of list) scope.tags.add(tag);
}

/**
 * The tags a call of `api` (`revalidateTag`, `updateTag`) invalidates, validated synchronously:
 * an invalid tag is a TypeError at the call, even when the caller does not await (Next.js code
 * calls these without `await`, and a rejection nobody handles would end the process).
 */
export function tagsToInvalidate(tag: unknown, api: string): string[] {
  return flatten([tag as TagInput], api);
}

/**
 * Record a revalidation of `tags` from now, in every configured handler: without `durations` the
 * next call that reads an entry carrying one computes it anew; with them such an entry is served
 * once more while it is refreshed, until `durations.expire` seconds have passed. Costs O(number of
 * tags), whatever the number of entries. The returned promise settles once every handler has
 * recorded it and never rejects: a failing handler is reported through the debug log, and this
 * process still sees the revalidation.
 */
export function invalidateTags(tags: readonly string[], durations?: TagDurations): Promise<void> {
  if (tags.length === 0) return Promise.resolve();
  // Never before an entry this process stamped ahead of the clock (see entryTimestamp).
  const timestamp = Math.max(now(), stampedAhead);
  revision++;
  if (timestamp > lastRevalidation) lastRevalidation = timestamp;
  localTagTimes.update(tags, timestamp, durations);
  noteRequestRevalidation(tags, timestamp);
  emitOther('revalidate', { tags, reason: durations === undefined ? 'expired' : 'stale' });
  let pending: Promise<void>[] | undefined;
  for (const [kind, handler] of allHandlers()) {
    const sync = syncAccessOf(handler);
    if (sync !== undefined) {
      try {
        sync.updateTags(tags, timestamp, durations);
      } catch (error) {
        emitOther('error', { reason: 'handler', op: 'updateTags', kind, handler, error });
        debug('handler-error', () => `kind=${kind} op=updateTags ${describeError(error)}`);
      }
    } else {
      // callHandler never throws nor rejects.
      (pending ??= []).push(
        callHandler(kind, handler, 'updateTags', (h) => h.updateTags(tags, timestamp, durations), undefined),
      );
    }
  }
  if (pending === undefined) return Promise.resolve();
  const recorded = Promise.all(pending).then(() => undefined);
  trackBackground(recorded);
  return recorded;
}

/** The marks of `tags` from this process's own revalidations, read at `now`. */
export function localTagMarks(tags: readonly string[], now: number): TagMarks {
  const marks = { stale: 0, expired: 0 };
  return localTagTimes.size === 0 ? marks : localTagTimes.marks(tags, now, marks);
}

export function tagRevision(): number {
  return revision;
}

/**
 * The timestamp for an entry whose fill started at `start` when the revalidation count was
 * `startRevision`, `observed` being the latest revalidation of its tags seen before the fill
 * started (0 if none). If no revalidation happened in this process during the fill, the entry was
 * computed after every revalidation known when it started, so it is stamped after them even when
 * the clock has not moved (a frozen test clock, or the same millisecond): otherwise it would be
 * stale the moment it is stored. A fill that overlapped a revalidation keeps `start`, so it is
 * stale if its tags were revalidated meanwhile. `revalidateTag` never records a time before an
 * entry stamped ahead this way, so a revalidation in that same millisecond still reaches it.
 */
export function entryTimestamp(start: number, startRevision: number, observed: number): number {
  if (startRevision !== revision) return start;
  const floor = Math.max(lastRevalidation, observed);
  if (start > floor) return start;
  if (floor + 1 > stampedAhead) stampedAhead = floor + 1;
  return floor + 1;
}

export function resetTags(): void {
  localTagTimes.clear();
  revision = 0;
  lastRevalidation = 0;
  stampedAhead = 0;
}
