/**
 * The scope of one cached call while its body runs (and while its result is serialised):
 * the lives given with `cacheLife`, the tags given with `cacheTag`, and what the caches called
 * inside it contributed. Carried by AsyncLocalStorage so that `cacheLife()` / `cacheTag()` find
 * the innermost cached function they run in.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** Lives in seconds, as stored on an entry. */
export interface CacheLife {
  stale: number;
  revalidate: number;
  expire: number;
}

export interface CacheScope {
  /** The cached function's name (or id), for error messages. */
  readonly name: string;
  /** The key being filled in this scope. */
  readonly key: string;
  /** The scope this fill was started from, if any. */
  readonly parent: CacheScope | undefined;
  /** Per-field minimum of the lives given with `cacheLife` in this scope (only fields given). */
  explicit: Partial<CacheLife> | undefined;
  /** Per-field minimum of the lives of the cached functions called in this scope. */
  inner: CacheLife | undefined;
  /** Tags of this scope and of the caches called in it, in first-seen order. */
  readonly tags: Set<string>;
}

const storage = new AsyncLocalStorage<CacheScope | undefined>();

export function createScope(name: string, key: string, parent: CacheScope | undefined): CacheScope {
  return { name, key, parent, explicit: undefined, inner: undefined, tags: new Set() };
}

/** Whether `scope` is, or runs inside, the fill of `key` (a call waiting for it would never end). */
export function isFilling(scope: CacheScope | undefined, key: string): boolean {
  for (let s = scope; s !== undefined; s = s.parent) if (s.key === key) return true;
  return false;
}

/** The innermost cache scope, or `undefined` outside any cached function. */
export function currentScope(): CacheScope | undefined {
  return storage.getStore();
}

/** The innermost cache scope; throws a clear error naming `api` outside of one. */
export function requireScope(api: string): CacheScope {
  const scope = storage.getStore();
  if (scope === undefined) {
    throw new Error(
      `${api}() was called outside a 'use cache' function. Call it inside the body of a function ` +
        `marked with 'use cache' (or inside something that function calls).`,
    );
  }
  return scope;
}

export function runInScope<T>(scope: CacheScope | undefined, fn: () => T): T {
  return storage.run(scope, fn);
}

/** Add what an inner cached call produced (its entry's lives and tags) to the outer scope. */
export function absorbInner(outer: CacheScope, life: CacheLife, tags: readonly string[]): void {
  const inner = outer.inner;
  if (inner === undefined) {
    outer.inner = { stale: life.stale, revalidate: life.revalidate, expire: life.expire };
  } else {
    if (life.stale < inner.stale) inner.stale = life.stale;
    if (life.revalidate < inner.revalidate) inner.revalidate = life.revalidate;
    if (life.expire < inner.expire) inner.expire = life.expire;
  }
  for (const tag of tags) outer.tags.add(tag);
}
