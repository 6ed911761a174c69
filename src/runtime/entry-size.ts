/**
 * The handler's `maxEntryBytes`: a larger result is returned to its callers but not stored, and
 * a `skip` event (and the debug log) says which function produced how many bytes (so the oversized one can be found
 * and split, or given a handler with a larger cap).
 */
import { emit, type EventSource } from './events.js';
import type { CacheEntry, CacheHandler } from './handlers/types.js';

export function fitsHandler(handler: CacheHandler, entry: CacheEntry, source: EventSource, key: string): boolean {
  const max = handler.maxEntryBytes;
  if (typeof max !== 'number' || entry.value.byteLength <= max) return true;
  emit('skip', source, key, handler, { reason: 'too-large', bytes: entry.value.byteLength, limit: max });
  return false;
}
