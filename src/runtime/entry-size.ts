/**
 * The handler's `maxEntryBytes`: a larger result is returned to its callers but not stored, and
 * the debug log says which function produced how many bytes (so the oversized one can be found
 * and split, or given a handler with a larger cap).
 */
import { debug } from './debug.js';
import type { CacheEntry, CacheHandler } from './handlers/types.js';

export function fitsHandler(handler: CacheHandler, entry: CacheEntry, name: string): boolean {
  const max = handler.maxEntryBytes;
  if (typeof max !== 'number' || entry.value.byteLength <= max) return true;
  debug(
    'fill',
    `${name} returned ${entry.value.byteLength} bytes, over the handler's maxEntryBytes (${max}): not stored`,
  );
  return false;
}
