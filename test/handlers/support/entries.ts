/** Small builders for handler tests. */
import type { CacheEntry, CacheHandler } from '../../../src/runtime/handlers/types.js';

export const entry = (
  value: Uint8Array | string,
  tags: string[] = [],
  overrides: Partial<CacheEntry> = {},
): CacheEntry => ({
  value: typeof value === 'string' ? new TextEncoder().encode(value) : value,
  tags,
  timestamp: 1_000,
  stale: 300,
  revalidate: 900,
  expire: 3600,
  ...overrides,
});

export const text = (e: CacheEntry | undefined) => (e ? new TextDecoder().decode(e.value) : undefined);

/** The latest `expired` time over `tags` (0 when none): what an immediate revalidation records. */
export const expiration = async (
  handler: Pick<CacheHandler, 'getTagTimes'>,
  tags: readonly string[],
): Promise<number> => Math.max(0, ...(await handler.getTagTimes(tags)).map((t) => t.expired));
