/**
 * Debug log of the cache runtime: one line per cache event (events.ts: hits, misses, stale serves,
 * fills, revalidations, ...) and the handlers' failures. Off by default; on with `USE_CACHE_DEBUG=1` in the environment (read when the module
 * loads and again on `resetCache()` or `configureCache({ debug: undefined })`) or with `configureCache({ debug })`.
 *
 * Lines go to stderr as `[use-cache] <event> <details>` unless a sink function is configured.
 * Logging never throws into the caller.
 */
import type { CacheEventType } from './events.js';

/** A cache event (events.ts) or a handler's own diagnostics. */
export type DebugEvent = CacheEventType | 'handler-error' | 'handler-recovered';

export type DebugSink = (line: string, event: DebugEvent) => void;

let option: boolean | DebugSink | undefined;
let enabled = process.env.USE_CACHE_DEBUG === '1';

/**
 * `configureCache({ debug })`: `true` forces stderr, `false` silences, a function receives the
 * lines, `undefined` follows `USE_CACHE_DEBUG` (re-read now).
 */
export function setDebug(value: boolean | DebugSink | undefined): void {
  option = value;
  enabled = value === undefined ? process.env.USE_CACHE_DEBUG === '1' : value !== false;
}

/** Cheap check for callers that build a detailed line only when it will be written. */
export function debugEnabled(): boolean {
  return enabled;
}

export function debug(event: DebugEvent, details: string | (() => string)): void {
  if (!enabled) return;
  if (typeof details === 'function') details = details();
  const line = `[use-cache] ${event} ${details}`;
  try {
    if (typeof option === 'function') option(line, event);
    else process.stderr.write(line + '\n');
  } catch {
    // A failing sink must not fail a cached call.
  }
}

/** Short, log-friendly form of a cache key. */
export function shortKey(key: string): string {
  return key.slice(0, 12);
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
