/** Small builders for handler tests. */
import type { CacheEntry } from '../../../src/runtime/handlers/types.js';

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
