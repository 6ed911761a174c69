/**
 * What the cache does, as events: `onCacheEvent(listener)`, `cacheStats()`, the debug log
 * (`USE_CACHE_DEBUG`) and OpenTelemetry spans (tracing.ts) are all built on `emit`.
 *
 * Events carry the function's name and id, the cache kind, the handler's name and a digest of the
 * key, never the arguments or the value (they may hold personal data). Counting for `cacheStats`
 * is always on (a few increments); everything else costs one boolean check until a listener, the
 * debug log or a tracer is there. A listener that throws is ignored: it never breaks a call.
 */
import { debug, debugEnabled, describeError } from './debug.js';
import type { CacheHandler } from './handlers/types.js';

export type CacheEventType = 'hit' | 'stale' | 'miss' | 'fill' | 'join' | 'error' | 'revalidate' | 'evict' | 'skip';

export interface CacheEvent {
  readonly type: CacheEventType;
  /** When it happened (ms since the epoch, `Date.now()`). */
  readonly time: number;
  /** The cached function's name (its id when anonymous), its id and cache kind. */
  readonly name?: string;
  readonly id?: string;
  readonly kind?: string;
  /** The handler's name (`memory`, `fs`, `redis`, `next`, `draft` in a draft-mode scope, or `custom`). */
  readonly handler?: string;
  /** The first 16 hex digits of the key's SHA-256: correlates events, reveals nothing. */
  readonly key?: string;
  /**
   * Why: a miss is `absent`, `expired`, `revalidated` or `corrupt`; an error is `body`, `handler`
   * or `decode`; a skip (nothing read or stored) is `too-large`, `draft-mode` (after a `miss` of
   * reason `draft-mode` and a `fill`: nothing is read or stored in a draft-mode request scope) or
   * `private-outside-scope` (a `'use cache: private'` call outside `withRequestScope` runs
   * uncached); an evict is `lru`; a revalidate is `expired` (`updateTag`, one-argument
   * `revalidateTag`) or `stale` (`revalidateTag(tag, profile)`).
   */
  readonly reason?: string;
  /** `fill`: milliseconds the body and its serialisation took. */
  readonly durationMs?: number;
  /** `fill`: bytes of the value; `skip` (too large, draft mode): bytes of the value not stored. */
  readonly bytes?: number;
  /** `skip` (too large): the handler's `maxEntryBytes`. */
  readonly limit?: number;
  /** `fill`, `error`: a stale entry's refresh, run after the stale value was served. */
  readonly background?: boolean;
  /** `revalidate`: the tags. */
  readonly tags?: readonly string[];
  /** `error` from a handler: which call failed. */
  readonly op?: string;
  /** `error`: what was thrown. */
  readonly error?: unknown;
}

export type CacheEventListener = (event: CacheEvent) => void;

/** The cached function an event is about (the runtime's own record of it). */
export interface EventSource {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
}

export type EventDetail = Omit<CacheEvent, 'type' | 'time' | 'name' | 'id' | 'kind' | 'handler' | 'key'>;

/**
 * The span of a traced call (tracing.ts's `CallTrace`), as the rest of the runtime sees it: it
 * takes the call's events, and runs what may nest in the span. Declared here, without
 * OpenTelemetry's types, so that the package's type declarations never need `@opentelemetry/api`.
 */
export interface CallRecorder {
  record(type: CacheEventType, key: string | undefined, detail: EventDetail | undefined): void;
  run<T>(fn: () => T): T;
}

const listeners = new Set<CacheEventListener>();

/**
 * Call `listener` with every cache event of this process, until the returned function is called.
 * A listener that throws is ignored.
 */
export function onCacheEvent(listener: CacheEventListener): () => void {
  if (typeof listener !== 'function') throw new TypeError('onCacheEvent: expected a function.');
  // A wrapper per subscription: the same function subscribed twice is called twice, unsubscribed once.
  const subscription: CacheEventListener = (event) => listener(event);
  listeners.add(subscription);
  return () => {
    listeners.delete(subscription);
  };
}

// --- Stats ----------------------------------------------------------------------------------

export interface CacheCounts {
  hits: number;
  /** Stale values served (each starts a background refresh). */
  stale: number;
  misses: number;
  fills: number;
  /** Calls that waited for another call's fill. */
  joins: number;
  errors: number;
  /** Bytes of the values filled (what was handed to the handlers). */
  bytesStored: number;
}

export interface FunctionStats extends CacheCounts {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
}

export interface CacheStats {
  total: CacheCounts;
  /** One row per cached function that had an event, in first-seen order. */
  functions: FunctionStats[];
}

const emptyCounts = (): CacheCounts => ({
  hits: 0,
  stale: 0,
  misses: 0,
  fills: 0,
  joins: 0,
  errors: 0,
  bytesStored: 0,
});
let total = emptyCounts();
const perFunction = new Map<string, FunctionStats>();

/** Counts since the process started (or since `resetCache()`): a snapshot, safe to keep. */
export function cacheStats(): CacheStats {
  return { total: { ...total }, functions: [...perFunction.values()].map((row) => ({ ...row })) };
}

function count(counts: CacheCounts, type: CacheEventType, bytes: number | undefined): void {
  switch (type) {
    case 'hit':
      counts.hits++;
      break;
    case 'stale':
      counts.stale++;
      break;
    case 'miss':
      counts.misses++;
      break;
    case 'fill':
      counts.fills++;
      counts.bytesStored += bytes ?? 0;
      break;
    case 'join':
      counts.joins++;
      break;
    case 'error':
      counts.errors++;
      break;
    case 'skip':
      counts.bytesStored -= bytes ?? 0; // filled, then not stored (too large, draft mode)
      break;
    case 'revalidate':
    case 'evict':
      break; // not about one call
  }
}

function rowOf(source: EventSource): FunctionStats {
  let row = perFunction.get(source.id);
  if (row === undefined) {
    row = { id: source.id, name: source.name, kind: source.kind, ...emptyCounts() };
    perFunction.set(source.id, row);
  }
  return row;
}

// --- Emitting -------------------------------------------------------------------------------

const handlerNames = new WeakMap<CacheHandler, string>();

/** Give handlers made by a factory a name for events (`memory`, `fs`, `redis`, `next`). */
export function nameHandler<H extends CacheHandler>(handler: H, name: string): H {
  handlerNames.set(handler, name);
  return handler;
}

function handlerName(handler: CacheHandler | undefined): string | undefined {
  return handler === undefined ? undefined : (handlerNames.get(handler) ?? 'custom');
}

/**
 * An event about a call of a cached function (`key` is `undefined` when the call has none:
 * uncached), also recorded on the call's span when it is traced.
 */
export function emit(
  type: CacheEventType,
  source: EventSource,
  key: string | undefined,
  handler: CacheHandler | undefined,
  detail?: EventDetail,
  trace?: CallRecorder,
): void {
  count(total, type, detail?.bytes);
  count(rowOf(source), type, detail?.bytes);
  trace?.record(type, key, detail);
  if (listeners.size === 0 && !debugEnabled()) return;
  const event: CacheEvent = {
    type,
    time: Date.now(),
    name: source.name,
    id: source.id,
    kind: source.kind,
    handler: handlerName(handler),
    ...(key === undefined ? undefined : { key: key.slice(0, 16) }),
    ...detail,
  };
  deliver(event);
}

/**
 * An event that is not about one call: a revalidation, a handler failure (logged once per failing
 * streak by config.ts, so not by this), an eviction.
 */
export function emitOther(
  type: CacheEventType,
  detail: EventDetail & { kind?: string; key?: string; handler?: CacheHandler },
): void {
  if (type === 'error') total.errors++;
  if (listeners.size === 0 && !debugEnabled()) return;
  const { handler, key, ...rest } = detail;
  const event = { type, time: Date.now(), ...rest, handler: handlerName(handler) };
  deliver(key === undefined ? event : { ...event, key: key.slice(0, 16) }, rest.reason !== 'handler');
}

function deliver(event: CacheEvent, log = true): void {
  if (log && debugEnabled()) debug(event.type, () => describeEvent(event));
  for (const listener of listeners) {
    try {
      listener(event);
    } catch {
      // A broken listener never breaks a cached call.
    }
  }
}

/** Reasons the debug log spells out (the rest it prints as they are). */
const REASON_TEXT: Readonly<Record<string, string>> = {
  'draft-mode': 'draft mode: nothing read, nothing stored',
  'private-outside-scope': "'use cache: private' outside withRequestScope: runs uncached",
};

/** The debug log's line for an event (after `[use-cache] <type> `). */
function describeEvent(e: CacheEvent): string {
  const parts: string[] = [];
  if (e.name !== undefined) parts.push(e.name);
  if (e.key !== undefined) parts.push(`key=${e.key.slice(0, 12)}`);
  if (e.kind !== undefined && e.name === undefined) parts.push(`kind=${e.kind}`);
  if (e.op !== undefined) parts.push(`op=${e.op}`);
  if (e.limit !== undefined) {
    parts.push(`returned ${e.bytes} bytes, over the handler's maxEntryBytes (${e.limit}): not stored`);
  } else if (e.bytes !== undefined) parts.push(`${e.bytes} bytes`);
  if (e.durationMs !== undefined) parts.push(`in ${e.durationMs.toFixed(1)} ms`);
  if (e.tags !== undefined) parts.push(`tags=${JSON.stringify(e.tags)}`);
  if (e.background) parts.push('(background refresh)');
  if (e.reason !== undefined && e.reason !== 'absent' && e.limit === undefined) {
    parts.push(`(${REASON_TEXT[e.reason] ?? e.reason})`);
  }
  if (e.error !== undefined) parts.push(describeError(e.error));
  return parts.join(' ');
}

/** Forget listeners and counts (`resetCache()`). */
export function resetEvents(): void {
  listeners.clear();
  total = emptyCounts();
  perFunction.clear();
}
