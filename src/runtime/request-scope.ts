/**
 * Request scopes: `withRequestScope(fn, { draftMode })` marks everything `fn` does (across
 * `await`, via AsyncLocalStorage) as one request.
 *
 * - `'use cache: private'` entries live in the request scope only: a memory handler of the
 *   scope's own, under keys no other scope can produce, so one user's private data never reaches
 *   another request (Next.js's private cache is per request too). They die with the scope.
 *   Outside any scope a private function runs uncached (one debug line says so), never shared.
 * - `draftMode: true` (Next.js's draft mode): every cached read in the scope is skipped and
 *   nothing computed there is stored; calls in the scope share fills only with each other.
 * - A tag revalidated in the scope, even stale-marking (`revalidateTag(tag, 'max')`), makes every
 *   later read in the scope of an entry made before it compute anew (Next.js 16's
 *   `pendingRevalidatedTags`): a Server Action sees its own write, other requests keep
 *   stale-while-revalidate.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { emit, nameHandler, type CallRecorder, type EventSource } from './events.js';
import { createMemoryHandler } from './handlers/memory.js';
import { createScope, currentScope, runInScope } from './scope.js';
import type { TagMarks } from './handlers/tag-times.js';
import type { CacheHandler } from './handlers/types.js';

export interface RequestScopeOptions {
  /** Skip every cached read and store nothing in this scope. Default: the enclosing scope's, else false. */
  draftMode?: boolean;
}

interface RequestScope {
  readonly draftMode: boolean;
  /** Appended to the keys of this scope's private (and draft) calls: never produced elsewhere. */
  readonly keySuffix: string;
  /** The scope's private entries, made on first use. */
  privateHandler: CacheHandler | undefined;
  /** Tags this request revalidated, and when (ms): shared with the scopes nested in it. */
  readonly revalidated: Map<string, number>;
}

/** Budget of one request's private entries. */
const PRIVATE_MAX_BYTES = 8 * 1024 * 1024;

const storage = new AsyncLocalStorage<RequestScope>();
/** Draft scopes running now: while none is, a call does not look for one (no storage lookup). */
let draftScopes = 0;

/**
 * A handler that reads nothing and stores nothing: what draft-mode calls use. The wrapper does not
 * even ask it (`route.draft`): it says `miss` (`draft-mode`) instead of reading and `skip` instead
 * of storing.
 */
const draftHandler: CacheHandler = nameHandler(
  {
    get: () => Promise.resolve(undefined),
    set: () => Promise.resolve(),
    getTagTimes: (tags) => Promise.resolve(tags.map(() => ({ stale: 0, expired: 0 }))),
    updateTags: () => Promise.resolve(),
  },
  'draft',
);

/**
 * Run `fn` as one request. Private cache entries made inside live only as long as this scope;
 * with `draftMode: true` nothing is read from or written to the cache inside it.
 */
export function withRequestScope<T>(fn: () => T, options: RequestScopeOptions = {}): T {
  if (typeof fn !== 'function') throw new TypeError('withRequestScope: expected a function to run.');
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('withRequestScope: options must be an object like { draftMode: true }.');
  }
  for (const key of Object.keys(options)) {
    if (key !== 'draftMode') throw new TypeError(`withRequestScope: unknown option "${key}" (known: draftMode).`);
  }
  if (options.draftMode !== undefined && typeof options.draftMode !== 'boolean') {
    throw new TypeError('withRequestScope: draftMode must be a boolean.');
  }
  const parent = storage.getStore();
  const draftMode = options.draftMode ?? parent?.draftMode ?? false;
  const scope: RequestScope = {
    draftMode,
    keySuffix: `\0request:${randomUUID()}`,
    privateHandler: undefined,
    revalidated: parent?.revalidated ?? new Map(),
  };
  if (!draftMode) return storage.run(scope, fn);
  draftScopes++;
  let result: T;
  try {
    result = storage.run(scope, fn);
  } catch (error) {
    draftScopes--;
    throw error;
  }
  if (result instanceof Promise) {
    const done = (): void => void draftScopes--;
    result.then(done, done);
  } else draftScopes--;
  return result;
}

/** Set once any request scope has revalidated a tag: until then a read does not look for one. */
let requestsRevalidated = false;

/** Remember that the current request (if any) revalidated `tags` at `timestamp`. */
export function noteRequestRevalidation(tags: readonly string[], timestamp: number): void {
  const scope = storage.getStore();
  if (scope === undefined) return;
  requestsRevalidated = true;
  for (const tag of tags) {
    if (!((scope.revalidated.get(tag) ?? 0) >= timestamp)) scope.revalidated.set(tag, timestamp);
  }
}

/**
 * Fold the current request's own revalidations of `tags` into `marks` as expiries: within the
 * request that revalidated a tag, an entry made before is never served (not even as stale).
 */
export function addRequestMarks(tags: readonly string[], marks: TagMarks): void {
  if (!requestsRevalidated) return;
  const revalidated = storage.getStore()?.revalidated;
  if (revalidated === undefined || revalidated.size === 0) return;
  for (const tag of tags) {
    const time = revalidated.get(tag);
    if (time !== undefined && time > marks.expired) marks.expired = time;
  }
}

/** Whether the caller runs inside `withRequestScope`. */
export function inRequestScope(): boolean {
  return storage.getStore() !== undefined;
}

/** Whether the current request scope is in draft mode. */
export function isDraftMode(): boolean {
  return draftScopes !== 0 && storage.getStore()?.draftMode === true;
}

/** Where a call of `kind` goes when a request scope changes it. */
export interface RequestRoute {
  handler: CacheHandler;
  keySuffix: string;
  /** Draft mode: no read, no store. */
  draft: boolean;
}

/** The call runs uncached (a private function outside any request scope). */
export const UNCACHED = 'uncached';

/**
 * How the current request scope routes a call of `kind`: `undefined` for the usual handler,
 * `UNCACHED`, or a handler and a key suffix of the scope's own.
 */
export function requestRoute(kind: string): RequestRoute | typeof UNCACHED | undefined {
  if (kind !== 'private' && draftScopes === 0) return undefined;
  const scope = storage.getStore();
  if (scope === undefined) return kind === 'private' ? UNCACHED : undefined;
  if (scope.draftMode) return { handler: draftHandler, keySuffix: scope.keySuffix, draft: true };
  if (kind !== 'private') return undefined;
  scope.privateHandler ??= createMemoryHandler({ maxBytes: PRIVATE_MAX_BYTES });
  return { handler: scope.privateHandler, keySuffix: scope.keySuffix, draft: false };
}

/**
 * Whether a value filled under `handler` is not stored because it was computed in draft mode (a
 * `skip` event, with its bytes, says so).
 */
export function skippedInDraft(handler: CacheHandler, source: EventSource, key: string, bytes: number): boolean {
  if (handler !== draftHandler) return false;
  emit('skip', source, key, handler, { reason: 'draft-mode', bytes });
  return true;
}

/**
 * A `'use cache: private'` call outside any request scope: the body runs, nothing is cached
 * (sharing it could hand one user's data to another); a `skip` event (`private-outside-scope`, no
 * key: none is computed) says so. It still runs in a scope of its own, so `cacheLife` /
 * `cacheTag` inside it work.
 */
export function runUncached(
  source: EventSource & { readonly fn: (...args: any[]) => Promise<unknown> },
  args: unknown[],
  trace: CallRecorder | undefined,
): Promise<unknown> {
  emit('skip', source, undefined, undefined, { reason: 'private-outside-scope' }, trace);
  const body = () => runInScope(createScope(source.name, '', currentScope()), () => source.fn(...args));
  return trace === undefined ? body() : trace.run(body);
}
