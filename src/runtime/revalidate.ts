/**
 * Next.js 16's invalidation calls: `revalidateTag(tag, profile)` marks entries stale (served once
 * more while refreshed, until the profile's `expire` has passed), `updateTag(tag)` expires them at
 * once (read-your-own-writes), and the one-argument `revalidateTag(tag)` of earlier versions still
 * expires at once but is deprecated, as in Next.js 16.
 *
 * Everything is checked before anything is recorded: invalid tags or profiles throw a TypeError
 * synchronously (callers often do not await). The returned promises never reject.
 */
import type { TagDurations } from './handlers/tag-times.js';
import { findProfile, profileNames, validateLife, type CacheLifeInput, type CacheProfileName } from './life.js';
import { invalidateTags, tagsToInvalidate } from './tags.js';

/** A profile name (built-in or from `configureCache({ profiles })`) or `{ expire?: seconds }`. */
export type RevalidateProfile = CacheProfileName | CacheLifeInput;

let warnedSingleArgument = false;

/**
 * Revalidate every entry carrying `tag` (or any of `tags`).
 * - With a `profile` (Next.js 16): the entries become stale; the next read serves the stale value
 *   once and refreshes it in the background, until `profile.expire` seconds after now, after which
 *   reads wait for a fresh value. `'max'` is Next.js's recommended profile.
 * - Without one: the entries expire at once (as `updateTag`); deprecated, as in Next.js 16: one
 *   warning per process.
 */
export function revalidateTag(tag: string | readonly string[], profile?: RevalidateProfile): Promise<void> {
  const tags = tagsToInvalidate(tag, 'revalidateTag');
  // Next.js treats every falsy profile as absent.
  if (!profile) {
    warnSingleArgument();
    return invalidateTags(tags);
  }
  return invalidateTags(tags, durationsOf(profile, tag));
}

/**
 * Expire every entry carrying `tag` at once: the next read, in this request or anywhere, computes
 * it anew (read-your-own-writes after a mutation). Unlike Next.js it may be called anywhere, not
 * only in a Server Action (there is no request context to check).
 */
export function updateTag(tag: string | readonly string[]): Promise<void> {
  return invalidateTags(tagsToInvalidate(tag, 'updateTag'));
}

/** Next.js 15's `expireTag(...tags)`: expires at once, no deprecation. */
export function expireTag(...tags: (string | readonly string[])[]): Promise<void> {
  return invalidateTags(tagsToInvalidate(tags, 'expireTag'));
}

/** The handler durations of a profile: its `expire` (a name is looked up; an object may omit it). */
function durationsOf(profile: RevalidateProfile, tag: unknown): TagDurations {
  const call = `revalidateTag(${JSON.stringify(tag)}, ${JSON.stringify(profile)})`;
  if (typeof profile === 'string') {
    const life = findProfile(profile);
    if (life === undefined) {
      throw new TypeError(
        `${call}: unknown profile "${profile}". Known profiles: ${profileNames().join(', ')}. ` +
          `Add it with configureCache({ profiles }) or pass { expire: seconds }.`,
      );
    }
    return { expire: life.expire };
  }
  let life: CacheLifeInput;
  try {
    life = validateLife(profile, call);
  } catch (error) {
    throw new TypeError((error as Error).message, { cause: error });
  }
  return life.expire === undefined ? {} : { expire: life.expire };
}

function warnSingleArgument(): void {
  if (warnedSingleArgument) return;
  warnedSingleArgument = true;
  process.emitWarning(
    'revalidateTag(tag) without a second argument is deprecated (as in Next.js 16): pass a profile, ' +
      "revalidateTag(tag, 'max') to serve stale content while it is refreshed, or call updateTag(tag) to " +
      'expire it at once.',
    { type: 'DeprecationWarning', code: 'USE_CACHE_REVALIDATE_TAG_SINGLE_ARGUMENT' },
  );
}
