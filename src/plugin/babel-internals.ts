// Every use of Babel's private state, fenced in one module. Each function here does what a public
// Babel API does (named in its comment), faster, by reading or writing Babel's path and scope
// caches (`traverse.cache`), constructing NodePaths, or editing a scope's tables by hand.
//
// Why at all: the scope crawl Babel runs before any plugin has already built a NodePath and a
// Scope for every node. The public API would build them again (`path.get('body.3...')` builds the
// paths of every sibling list on the way, hundreds of statements in a large file, for each
// function compiled) or crawl them again (`replaceWith` gives a moved function a new scope that
// Babel crawls a second time). bench/README.md has the measured difference.
//
// The caches belong to one Babel instance: they are taken from the plugin API of the instance
// that loads the plugin (`babelInternalsOf`), kept with that plugin instance and handed to each
// compilation on its context, never in a module variable (two Babel instances in one process each
// get their own). With `null` (a Babel that does not expose `traverse.cache`, or the tests that
// hold the public-API path to the same fixture outputs) every function here uses the public API.
import type { NodePath } from '@babel/core';
import type { Binding, Scope } from '@babel/traverse';
import type * as t from '@babel/types';

/** `traverse.cache`, read at each use: Babel replaces the maps on `clear()`. */
interface TraverseCache {
  path: WeakMap<t.Node, Map<t.Node, NodePath>>;
  scope: WeakMap<t.Node, Scope>;
}

/** The private state of the Babel instance that runs one plugin instance. */
export interface BabelInternals {
  readonly cache: TraverseCache;
}

/**
 * The caches of the Babel instance whose plugin API this is, or null when it does not expose
 * them. No public API replaces this: Babel offers no handle on the NodePaths its crawl built.
 */
export function babelInternalsOf(api: object): BabelInternals | null {
  const cache = (api as { traverse?: { cache?: Partial<TraverseCache> } }).traverse?.cache;
  return cache && typeof cache.path?.get === 'function' && typeof cache.scope?.get === 'function'
    ? { cache: cache as TraverseCache }
    : null;
}

/**
 * Replaces `root.get(keyPath)` (which builds the paths of every sibling list on the way) with one
 * lookup in Babel's path cache. `chain` lists the nodes from a child of `root.node` down to the
 * target. Returns the cached NodePath only when every path on the way is the cached one and their
 * `parentPath`s lead back to `root`: a tree changed since the crawl, or no caches, give null, and
 * the caller uses `root.get(keyPath)`.
 */
export function cachedPath(
  internals: BabelInternals | null,
  root: NodePath,
  chain: readonly t.Node[],
): NodePath | null {
  const last = chain.length - 1;
  if (!internals || last < 0) return null;
  const path = internals.cache.path.get(last > 0 ? chain[last - 1]! : root.node)?.get(chain[last]!);
  if (!path || path.removed) return null;
  let step: NodePath | null = path;
  for (let i = last; i >= 0; i--) {
    if (!step || step.node !== chain[i] || step.removed) return null;
    step = step.parentPath;
  }
  return step === root ? path : null;
}

/**
 * Replaces `path.scope` of the NodePath of `node` (a scope node under `parent`) without building
 * that NodePath: the Scope Babel's crawl made for it, provided it is the one `path.setScope()`
 * would pick (the cached path's) and already crawled (`inited`, a private flag). Null otherwise:
 * the node is new since the crawl, and the caller runs the public traversal instead.
 */
export function crawledScope(internals: BabelInternals, node: t.Node, parent: t.Node): Scope | null {
  const scope = internals.cache.scope.get(node);
  if (!scope || internals.cache.path.get(parent)?.get(node) !== scope.path) return null;
  return (scope as Scope & { inited?: boolean }).inited ? scope : null;
}

/**
 * Replaces `program.get(`body.${index}`)`, which builds the path of every statement first, by
 * constructing the one NodePath with NodePath's own (undocumented) factory, the one `get` uses:
 * it returns the cached path when there is one.
 */
export function statementPath(
  internals: BabelInternals | null,
  program: NodePath<t.Program>,
  index: number,
): NodePath<t.Statement> {
  if (!internals) return program.get(`body.${index}`) as NodePath<t.Statement>;
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

/**
 * Replaces `path.replaceWith(replacement)` for a function declaration that becomes another
 * function declaration (a forwarder) by turning the old node into the new one: the same tree and
 * comments, but Babel keeps the node's path and scope instead of creating a scope for a new node
 * and crawling it (one traversal per replaced function). The kept scope is emptied by hand (its
 * `bindings` table and private `labels` map): it still lists the old function's parameters,
 * locals and labels, and the forwarder declares none (what a fresh crawl of it would find).
 */
export function becomeDeclaration(
  internals: BabelInternals | null,
  types: typeof t,
  path: NodePath<t.FunctionDeclaration>,
  replacement: t.FunctionDeclaration,
): void {
  if (!internals) {
    path.replaceWith(replacement);
    return;
  }
  const old = path.node as unknown as Record<string, unknown>;
  types.inheritsComments(replacement, path.node);
  for (const key of Object.keys(old)) delete old[key];
  Object.assign(old, replacement);
  const scope = path.scope as { bindings: Record<string, unknown>; labels?: Map<string, unknown> };
  for (const name of Object.keys(scope.bindings)) delete scope.bindings[name];
  scope.labels?.clear();
}

/**
 * Replaces `path.replaceWith(replacement)` followed by Babel finding the function (`path.node`)
 * again under `newParent`, its new place, with a new NodePath and a new Scope that it crawls a
 * second time. Here the node is swapped in its container by hand and Babel's path cache is told
 * that under `newParent` the function's path is this one, so the traversal reaches it there with
 * its scope already crawled. Callers check `internals` first (there is no public equivalent of
 * keeping the path; without the caches they use `replaceWith`).
 */
export function moveKeepingPath(
  internals: BabelInternals,
  types: typeof t,
  path: NodePath,
  replacement: t.Expression,
  newParent: t.Node,
): void {
  const node = path.node;
  types.inheritsComments(replacement, node); // as replaceWith does
  types.removeComments(node);
  (path.container as unknown as Record<string | number, t.Node>)[path.key!] = replacement;
  const paths = internals.cache.path;
  let children = paths.get(newParent);
  if (!children) paths.set(newParent, (children = new Map()));
  children.set(node, path);
}

/**
 * Puts `binding` back into its scope's `bindings` table after `path.remove()` took it out, so
 * functions compiled later still resolve the name to the same Binding object (with its references
 * and assignments). No public API does this (`scope.registerDeclaration` of the statement that
 * replaces the declaration would make a new Binding without them); the public-API mode uses it
 * too, as correctness, not speed, depends on it.
 */
export function restoreBinding(binding: Binding, name: string): void {
  binding.scope.bindings[name] = binding;
}
