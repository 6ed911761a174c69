// Babel's own path and scope caches (`traverse.cache`). The scope crawl that Babel runs before any
// plugin builds a NodePath for every node; the passes read those instead of calling
// `path.get('body.3...')`, which builds the paths of every sibling list on the way (hundreds of
// statements in a large file, for each function compiled).
import type { NodePath } from '@babel/core';
import type { Scope } from '@babel/traverse';
import type * as t from '@babel/types';

/** `traverse.cache`, read at each use: Babel replaces the maps on `clear()`. */
interface TraverseCache {
  path: WeakMap<t.Node, Map<t.Node, NodePath>>;
  scope: WeakMap<t.Node, Scope>;
}

export interface BabelInternals {
  cache: TraverseCache;
  types: typeof t;
}

let babel: BabelInternals | null = null;

/** Remembers the caches and types of the Babel instance that runs the plugin. */
export function useBabel(api: { traverse?: { cache?: TraverseCache }; types: typeof t }): void {
  const cache = api.traverse?.cache;
  babel =
    cache && typeof cache.path?.get === 'function' && typeof cache.scope?.get === 'function'
      ? { cache, types: api.types }
      : null;
}

/** The caches, or null when this Babel does not expose them (callers then use the public API). */
export function babelInternals(): BabelInternals | null {
  return babel;
}

/**
 * The cached NodePath of the last node of `chain`, where `chain` lists the nodes from a child of
 * `root.node` down to the target. Returned only when every path on the way is the cached one and
 * their `parentPath`s lead back to `root`: a tree changed since the crawl gives null, and the
 * caller falls back to `root.get(keyPath)`.
 */
export function cachedPath(root: NodePath, chain: readonly t.Node[]): NodePath | null {
  const last = chain.length - 1;
  if (!babel || last < 0) return null;
  // One cache lookup for the target, then its parentPath links, checked node by node.
  const path = babel.cache.path.get(last > 0 ? chain[last - 1]! : root.node)?.get(chain[last]!);
  if (!path || path.removed) return null;
  let step: NodePath | null = path;
  for (let i = last; i >= 0; i--) {
    if (!step || step.node !== chain[i] || step.removed) return null;
    step = step.parentPath;
  }
  return step === root ? path : null;
}

/**
 * The path of `program.node.body[index]`: what `program.get(`body.${index}`)` returns, without
 * building the paths of every other statement first.
 */
export function statementPath(program: NodePath<t.Program>, index: number): NodePath<t.Statement> {
  const NodePathClass = program.constructor as unknown as {
    get(options: {
      parentPath: NodePath;
      parent: t.Node;
      container: t.Node[];
      listKey: string;
      key: number;
    }): NodePath<t.Statement>;
  };
  const path = NodePathClass.get({
    parentPath: program,
    parent: program.node,
    container: program.node.body,
    listKey: 'body',
    key: index,
  });
  return program.context ? path.setContext(program.context) : path;
}
