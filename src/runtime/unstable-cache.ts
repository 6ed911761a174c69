/**
 * `unstable_cache(fn, keyParts?, { tags?, revalidate? })` from `next/cache`, as Next.js
 * implements it (next/dist/server/web/spec-extension/unstable-cache.js):
 *
 * - The key is the function's source text, `keyParts` joined by commas, and the call's arguments
 *   as JSON: `${fn}-${keyParts.join(',')}-${JSON.stringify(args)}`, hashed (here with the runtime's
 *   key namespace: buildId, React version, build mode).
 * - The result is stored as JSON (a `Date` comes back as a string, as in Next.js).
 * - Fresh for `revalidate` seconds (`false` or none: one year); `revalidate: 0` is an error.
 *   Stale inside a request scope (`withRequestScope`): served while one background refresh runs;
 *   outside one: computed anew before returning. `revalidateTag` / `updateTag` of its `tags` apply
 *   as to `'use cache'` entries (stale-marking included).
 * - Inside a `'use cache'` function, its tags and `revalidate` pass to the enclosing entry;
 *   inside another `unstable_cache`, it does not read the cache (it still stores); in draft mode
 *   it neither reads nor stores.
 *
 * One difference: every call returns the JSON round trip of the result, the first one too (Next.js
 * returns the function's own object on a miss and the parsed JSON on a hit), so a caller sees the
 * same types every time and never an object another caller holds.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { callHandler, handlerFor, keyNamespace, now } from './config.js';
import { debug, describeError, shortKey } from './debug.js';
import { trackBackground } from './flush.js';
import { entryTagMarks, freshness, isEntry, type Freshness } from './freshness.js';
import { syncAccessOf } from './handlers/memory.js';
import type { CacheEntry, CacheHandler } from './handlers/types.js';
import { BUILTIN_PROFILES, NEVER } from './life.js';
import { inRequestScope, requestRoute } from './request-scope.js';
import { absorbInner, currentScope, runInScope } from './scope.js';
import { entryTimestamp, MAX_TAGS, tagRevision, tagsToInvalidate } from './tags.js';

export interface UnstableCacheOptions {
  /** Tags for `revalidateTag` / `updateTag`. */
  tags?: string[];
  /** Seconds the result is fresh; `false` (or none): one year. Not 0. */
  revalidate?: number | false;
}

/** Next.js's `CACHE_ONE_YEAR_SECONDS`: the `revalidate` of an entry without one. */
const ONE_YEAR = 31_536_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Set while an `unstable_cache` body runs: a nested one does not read the cache. */
const nested = new AsyncLocalStorage<true>();
/** Fills in flight by key: concurrent calls share one (each gets its own parse of the JSON). */
const fills = new Map<string, Promise<Uint8Array>>();

type AsyncFn = (...args: any[]) => Promise<unknown>;

export function unstable_cache<F extends AsyncFn>(
  fn: F,
  keyParts?: readonly string[],
  options: UnstableCacheOptions = {},
): (...args: Parameters<F>) => Promise<Awaited<ReturnType<F>>> {
  if (typeof fn !== 'function') throw new TypeError('unstable_cache: expected a function to cache.');
  const source = fn.toString();
  if (options.revalidate === 0) {
    throw new Error(
      `Invariant revalidate: 0 can not be passed to unstable_cache(), must be "false" or "> 0" ${source}`,
    );
  }
  const revalidate = checkRevalidate(options.revalidate, fn.name || source);
  const tags = tagsToInvalidate(options.tags ?? [], 'unstable_cache');
  if (tags.length > MAX_TAGS) {
    throw new TypeError(`unstable_cache: ${tags.length} tags; the limit is ${MAX_TAGS}.`);
  }
  // Next.js: `${cb.toString()}-${Array.isArray(keyParts) && keyParts.join(',')}`.
  const fixedKey = `${source}-${Array.isArray(keyParts) && keyParts.join(',')}`;
  const name = fn.name || 'unstable_cache';
  const life = { stale: BUILTIN_PROFILES.default!.stale, revalidate: revalidate ?? ONE_YEAR, expire: NEVER };

  return async function cached(...args: Parameters<F>): Promise<Awaited<ReturnType<F>>> {
    const outer = currentScope();
    // As in Next.js: a caching caller takes these tags, and this revalidate when it is shorter.
    if (outer !== undefined) absorbInner(outer, { stale: NEVER, revalidate: revalidate ?? NEVER, expire: NEVER }, tags);
    // Draft mode: a handler that reads and stores nothing, and keys of the scope's own.
    const route = requestRoute('default');
    const scoped = typeof route === 'object' ? route : undefined;
    const handler = scoped?.handler ?? handlerFor('default');
    const key =
      createHash('sha256')
        .update(`${keyNamespace()}\0unstable_cache\0${fixedKey}-${JSON.stringify(args)}`)
        .digest('hex') + (scoped?.keySuffix ?? '');
    const call: Call = { name, fn, args, key, handler, tags, life };

    let observed = 0;
    if (nested.getStore() === undefined) {
      const sync = syncAccessOf(handler);
      const entry =
        sync !== undefined ? sync.get(key) : await callHandler('default', handler, 'get', (h) => h.get(key), undefined);
      if (isEntry(entry)) {
        const t = now();
        const marks = entry.tags.length === 0 ? undefined : await entryTagMarks('default', handler, sync, entry, t);
        if (marks !== undefined) observed = Math.max(marks.stale, marks.expired);
        const state: Freshness = freshness(entry, marks, t);
        if (state === 'fresh' || (state === 'stale' && inRequestScope())) {
          if (state === 'stale' && !fills.has(key)) {
            debug('stale', () => `${name} key=${shortKey(key)} (unstable_cache, refreshing in the background)`);
            fill(call, observed).catch((error: unknown) =>
              debug('error', () => `${name} key=${shortKey(key)} background refresh failed: ${describeError(error)}`),
            );
          } else if (state === 'fresh') debug('hit', () => `${name} key=${shortKey(key)} (unstable_cache)`);
          try {
            return parse(entry.value) as Awaited<ReturnType<F>>;
          } catch (error) {
            debug('error', () => `${name} key=${shortKey(key)} stored JSON does not parse (${describeError(error)})`);
          }
        }
      }
    }
    debug('miss', () => `${name} key=${shortKey(key)} (unstable_cache)`);
    return parse(await (fills.get(key) ?? fill(call, observed))) as Awaited<ReturnType<F>>;
  };
}

interface Call {
  name: string;
  fn: AsyncFn;
  args: unknown[];
  key: string;
  handler: CacheHandler;
  tags: string[];
  life: { stale: number; revalidate: number; expire: number };
}

/** Run the body (outside any cache scope, marked as nested), store its JSON, share it meanwhile. */
function fill(call: Call, observed: number): Promise<Uint8Array> {
  const start = now();
  const revision = tagRevision();
  const pending = nested
    .run(true, () => runInScope(undefined, () => call.fn(...call.args)))
    .then((result) => {
      const json = JSON.stringify(result);
      const value = json === undefined ? new Uint8Array(0) : encoder.encode(json);
      const entry: CacheEntry = {
        value,
        tags: call.tags,
        timestamp: entryTimestamp(start, revision, observed),
        ...call.life,
      };
      trackBackground(callHandler('default', call.handler, 'set', (h) => h.set(call.key, entry), undefined));
      return value;
    });
  fills.set(call.key, pending);
  const release = (): void => {
    if (fills.get(call.key) === pending) fills.delete(call.key);
  };
  pending.then(release, release);
  return pending;
}

function parse(bytes: Uint8Array): unknown {
  return bytes.byteLength === 0 ? undefined : JSON.parse(decoder.decode(bytes));
}

/** Next.js's `validateRevalidate`: `false` or Infinity is "never", else a number >= 0. */
function checkRevalidate(value: unknown, route: string): number | undefined {
  if (value === undefined) return undefined;
  if (value === false || value === Infinity) return undefined;
  if (typeof value === 'number' && !Number.isNaN(value) && value > -1) return value;
  throw new Error(
    `Invalid revalidate value "${String(value)}" on "unstable_cache ${route}", must be a non-negative number or false`,
  );
}
