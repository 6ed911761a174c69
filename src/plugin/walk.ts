// The child step of the iterative AST walks (directives.ts, scope.ts): no recursion, no NodePath.
import type * as t from '@babel/types';

/** The node types that can carry a directive prologue of their own (a function body). */
export const FUNCTION_TYPES: ReadonlySet<string> = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ObjectMethod',
  'ClassMethod',
  'ClassPrivateMethod',
]);

/**
 * Calls `push` for every child node of `node` in reverse source order (visitor-key order, list
 * items by index), so that a stack pops them in the order Babel's traversal visits them.
 */
export function pushChildrenReversed(
  node: t.Node,
  visitorKeys: Record<string, readonly string[] | undefined>,
  push: (child: t.Node, key: string, index: number) => void,
): void {
  const keys = visitorKeys[node.type];
  if (!keys) return;
  for (let k = keys.length - 1; k >= 0; k--) {
    const key = keys[k]!;
    const child = (node as unknown as Record<string, unknown>)[key];
    if (!child) continue;
    if (Array.isArray(child)) {
      for (let i = child.length - 1; i >= 0; i--) {
        const item = child[i] as t.Node | null;
        if (item && typeof item.type === 'string') push(item, key, i);
      }
    } else if (typeof (child as t.Node).type === 'string') {
      push(child as t.Node, key, -1);
    }
  }
}

/** A node reached by an iterative walk, with the way back to where the walk started. */
export interface WalkStep {
  node: t.Node;
  parent: WalkStep | null;
  /** The key in the parent, and the index when the parent holds a list (else -1). */
  key: string;
  index: number;
}

/** The nodes from the walk's root (exclusive) down to `step` (inclusive): for `cachedPath`. */
export function nodeChain(step: WalkStep): t.Node[] {
  const nodes: t.Node[] = [];
  for (let s: WalkStep | null = step; s && s.parent; s = s.parent) nodes.push(s.node);
  return nodes.reverse();
}

/** The dotted key path from the walk's root to `step`, as `path.get()` takes it. */
export function keyPath(step: WalkStep): string {
  const parts: string[] = [];
  for (let s: WalkStep | null = step; s && s.parent; s = s.parent)
    parts.push(s.index >= 0 ? `${s.key}.${s.index}` : s.key);
  return parts.reverse().join('.');
}
