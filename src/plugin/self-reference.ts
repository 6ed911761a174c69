// Inside a directive function, its own name means the wrapped function (docs/compiler.md): a
// recursive `'use cache'` function then goes through the cache at every level, and an inline
// function that captures values calls itself with them. Lifted as they are, the name would mean
// the raw function (a named function expression's own name), or a captured variable read before
// it exists (`const f = async () => { ...f() }` inside a component).
import type { NodePath } from '@babel/core';
import type { Binding } from '@babel/traverse';
import type * as t from '@babel/types';

type AnyFunction = t.Function;
export type SelfReference = NodePath<t.Identifier | t.JSXIdentifier>;

/**
 * The binding outside the function through which it names itself: a declaration's name, or the
 * variable an arrow or function expression initialises when nothing ever assigns it again.
 */
export function outerSelfBinding(path: NodePath<AnyFunction>): Binding | undefined {
  const node = path.node;
  if (node.type === 'FunctionDeclaration') {
    return node.id ? path.parentPath.scope.getBinding(node.id.name) : undefined;
  }
  const parent = path.parentPath;
  if (!parent?.isVariableDeclarator() || parent.node.init !== node || parent.node.id.type !== 'Identifier') {
    return undefined;
  }
  const binding = parent.scope.getBinding(parent.node.id.name);
  if (!binding || binding.path !== parent || binding.constantViolations.length > 0) return undefined;
  return binding;
}

/** A named function expression's own name, as the binding of its own scope. */
export function innerSelfBinding(path: NodePath<AnyFunction>): Binding | undefined {
  const node = path.node;
  if (node.type !== 'FunctionExpression' || !node.id) return undefined;
  const binding = path.scope.getBinding(node.id.name);
  return binding?.identifier === node.id ? binding : undefined;
}

/** The references to `bindings` inside the function (where it names itself). */
export function referencesInside(path: NodePath<AnyFunction>, bindings: (Binding | undefined)[]): SelfReference[] {
  const { start, end } = path.node;
  if (start == null || end == null) return [];
  const found: SelfReference[] = [];
  for (const binding of bindings) {
    if (!binding) continue;
    for (const ref of binding.referencePaths) {
      const s = (ref.node as t.Node | null)?.start; // null once an earlier pass replaced it
      if (s != null && s >= start && s < end) found.push(ref as SelfReference);
    }
  }
  return found;
}

/**
 * Replace each self reference by `replacement()` (`$$cache_0`, `$$cache_0.bind(null, $$c0)`);
 * a JSX name (`<Tree />`) becomes `jsxName`. The bindings stop listing the replaced references
 * (what a fresh crawl would find). Returns the replaced paths.
 */
export function redirectSelfReferences(
  refs: SelfReference[],
  replacement: () => t.Expression,
  jsxName: () => t.JSXIdentifier,
): NodePath[] {
  const replaced: NodePath[] = [];
  for (const ref of refs) {
    forgetReference(ref);
    if (ref.isJSXIdentifier()) {
      ref.replaceWith(jsxName());
    } else {
      const parent = ref.parentPath;
      if (parent?.isObjectProperty({ shorthand: true }) && parent.node.value === ref.node)
        parent.node.shorthand = false;
      ref.replaceWith(replacement());
    }
    replaced.push(ref);
  }
  return replaced;
}

function forgetReference(ref: SelfReference): void {
  const binding = ref.scope.getBinding(ref.node.name);
  if (!binding) return;
  const i = binding.referencePaths.indexOf(ref);
  if (i < 0) return;
  binding.referencePaths.splice(i, 1);
  binding.references--;
  binding.referenced = binding.references > 0;
}
