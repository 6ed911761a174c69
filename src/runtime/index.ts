// Public entry of the runtime: what applications call and what compiled code imports.
export * from './actions/index.js';

export { cacheFunction, cacheExport, resetCache } from './cache.js';
export { encryptOnSend } from './captured-values.js';
export { configureCache, type CacheConfig } from './config.js';
export { flush } from './flush.js';
export { withRequestScope, isDraftMode, type RequestScopeOptions } from './request-scope.js';
export { unstable_cache, type UnstableCacheOptions } from './unstable-cache.js';
export type { FlightBuild } from './flight.js';
export {
  cacheLife,
  BUILTIN_PROFILES,
  NEVER,
  type CacheLife,
  type CacheLifeInput,
  type CacheProfiles,
  type CacheProfileName,
} from './life.js';
export { cacheTag, MAX_TAGS, MAX_TAG_LENGTH } from './tags.js';
export { revalidateTag, updateTag, expireTag, type RevalidateProfile } from './revalidate.js';
export type { TagDurations, TagTimes } from './handlers/tag-times.js';
export type { CacheEntry, CacheHandler } from './handlers/types.js';
export type { DebugEvent, DebugSink } from './debug.js';
export {
  onCacheEvent,
  cacheStats,
  type CacheEvent,
  type CacheEventType,
  type CacheEventListener,
  type CacheStats,
  type CacheCounts,
  type FunctionStats,
} from './events.js';

import { cacheLife } from './life.js';
import { expireTag } from './revalidate.js';
import { cacheTag } from './tags.js';

/** Next.js names, so code written for `next/cache` runs unchanged. */
export const unstable_cacheLife = cacheLife;
export const unstable_cacheTag = cacheTag;
export const unstable_expireTag = expireTag;
