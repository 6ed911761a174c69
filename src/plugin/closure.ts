// Closure analysis of one directive function: which outer values it reads (docs/compiler.md,
// Closure capture), and the `this` / `super` / `arguments` check, in one walk of the function
// only: an iterative walk over the raw AST with Babel's cached scopes (NodePaths only for the
// captured references), or, when a scope is not cached, the equivalent Babel traversal.
import type { BabelFile, NodePath } from '@babel/core';
import type { Binding, Scope, Visitor } from '@babel/traverse';
import type * as t from '@babel/types';
import { Codes, diagnostic, quote } from './diagnostics.js';
import { cachedPath, crawledScope, type BabelInternals } from './babel-internals.js';
import type { CompileContext } from './context.js';
import { FUNCTION_TYPES, keyPath, nodeChain, pushChildrenReversed, type WalkStep } from './walk.js';

export interface Segment {
  name: string;
  optional: boolean;
}

export interface Capture {
  root: string;
  binding: Binding;
  segments: Segment[];
  /** Source text, e.g. `user.name` or `a?.b`. */
  text: string;
}

interface Reference {
  path: NodePath<t.Identifier | t.JSXIdentifier>;
  capture: Capture;
}

export interface ClosureAnalysis {
  captures: Capture[];
  references: Reference[];
}

// TypeScript nodes that carry run-time values; every other TS node is a type and never captures.
const TS_VALUE_NODES = new Set([
  'TSAsExpression',
  'TSSatisfiesExpression',
  'TSNonNullExpression',
  'TSTypeAssertion',
  'TSInstantiationExpression',
  'TSParameterProperty',
  'TSEnumDeclaration',
  'TSEnumBody',
  'TSEnumMember',
  'TSExportAssignment',
]);

const OWN_THIS = new Set(['ClassProperty', 'ClassPrivateProperty', 'ClassAccessorProperty', 'StaticBlock']);

export function captureText(root: string, segments: readonly Segment[]): string {
  let text = root;
  for (const s of segments) text += (s.optional ? '?.' : '.') + s.name;
  return text;
}

function isWithin(scope: Scope, ancestor: Scope): boolean {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s === ancestor) return true;
  return false;
}

/** The member expression `top` is written to (`a.b = 1`, `a.b++`, `delete a.b`, `[a.b] = x`). */
function isWriteTarget(top: NodePath): boolean {
  const parent = top.parentPath;
  if (!parent) return false;
  const node = top.node;
  const p = parent.node;
  switch (p.type) {
    case 'AssignmentExpression':
      return p.left === node;
    case 'UpdateExpression':
      return true;
    case 'UnaryExpression':
      return p.operator === 'delete';
    case 'ForInStatement':
    case 'ForOfStatement':
      return p.left === node;
    case 'ArrayPattern':
    case 'RestElement':
      return true;
    case 'AssignmentPattern':
      return p.left === node;
    case 'ObjectProperty':
      return p.value === node && parent.parentPath?.node.type === 'ObjectPattern';
    default:
      return false;
  }
}

interface ClosureState {
  fnNode: t.Node;
  /** Classes entered inside the function: their private names (`#x`) stay valid when lifted. */
  classDepth: number;
  fnScope: Scope;
  programScope: Scope;
  exclude: Binding | undefined;
  /** Depth of nested functions / class members that have their own `this`. */
  ownThisDepth: number;
  raw: { path: NodePath<t.Identifier | t.JSXIdentifier>; binding: Binding; segments: Segment[] }[];
  file: BabelFile;
  directive: string;
}

function forbid(state: ClosureState, node: t.Node, what: string): never {
  throw diagnostic(
    state.file,
    node,
    Codes.thisSuperArguments,
    `\`${what}\` cannot be used inside a ${quote(state.directive)} function: it runs detached from its caller. ` +
      'Pass the value as an argument instead.',
  );
}

function forbidPrivateName(state: ClosureState, node: t.PrivateName): never {
  throw diagnostic(
    state.file,
    node,
    Codes.privateName,
    `\`#${node.id.name}\` cannot be used inside a ${quote(state.directive)} function: the function is moved out of ` +
      'the class, where private names do not exist. Pass the value as an argument instead.',
  );
}

// One visitor object for every function: Babel prepares ("explodes") a visitor once per object.
const closureVisitor: Visitor<ClosureState> = {
  enter(p, state) {
    const type = p.node.type;
    // A method's key and decorators are evaluated where the method stands, not in its body.
    if (p.parentPath?.node === state.fnNode && (p.key === 'key' || p.listKey === 'decorators')) p.skip();
    else if (type.startsWith('TS') && !TS_VALUE_NODES.has(type)) p.skip();
    else if (type === 'TypeAnnotation' || type === 'TypeParameterDeclaration' || type === 'TypeParameterInstantiation')
      p.skip();
    else if (OWN_THIS.has(type)) state.ownThisDepth++;
  },
  exit(p, state) {
    if (OWN_THIS.has(p.node.type)) state.ownThisDepth--;
  },
  Function: {
    enter(p, state) {
      if (!p.isArrowFunctionExpression()) state.ownThisDepth++;
    },
    exit(p, state) {
      if (!p.isArrowFunctionExpression()) state.ownThisDepth--;
    },
  },
  Class: {
    enter(_p, state) {
      state.classDepth++;
    },
    exit(_p, state) {
      state.classDepth--;
    },
  },
  PrivateName(p, state) {
    if (state.classDepth === 0) forbidPrivateName(state, p.node);
  },
  ThisExpression(p, state) {
    if (state.ownThisDepth === 0) forbid(state, p.node, 'this');
  },
  Super(p, state) {
    if (state.ownThisDepth === 0) forbid(state, p.node, 'super');
  },
  MetaProperty(p, state) {
    if (state.ownThisDepth === 0 && p.node.meta.name === 'new') forbid(state, p.node, 'new.target');
  },
  ReferencedIdentifier(p, state) {
    const node = p.node as t.Identifier | t.JSXIdentifier;
    const name = node.name;
    const binding = p.scope.getBinding(name);
    if (!binding) {
      if (name === 'arguments' && state.ownThisDepth === 0 && p.isIdentifier()) forbid(state, node, 'arguments');
      return;
    }
    if (binding.scope === state.programScope || binding === state.exclude) return;
    if (isWithin(binding.scope, state.fnScope)) return;
    state.raw.push({ path: p as NodePath<t.Identifier | t.JSXIdentifier>, binding, segments: memberChain(p) });
  },
};

interface WalkEntry extends WalkStep {
  parent: WalkEntry | null;
  /** What Babel's `path.scope` is for this node. */
  scope: Scope;
  /** Exit marker: undo the counters `node` raised on enter. */
  exit: boolean;
}

class NoCachedScope extends Error {}

/**
 * The same analysis as `fn.traverse(closureVisitor)`, as an iterative walk over the raw AST that
 * creates a NodePath only for the references it records. Scopes come from Babel's scope cache
 * (the Program crawl made one per scope node), picked exactly as `path.setScope()` would pick
 * them. Returns false, with nothing to undo, when a scope node has no cached scope (a node created
 * since the crawl) or the caches are not available: the caller then runs the Babel traversal.
 */
function walkClosure(
  fn: NodePath<t.Function>,
  state: ClosureState,
  internals: BabelInternals | null,
  types: typeof t,
): boolean {
  if (!internals) return false;
  const { VISITOR_KEYS: keysOf, isMethod, isReferenced, isScope: isScopeNode } = types;
  const isCompatTag = types.react.isCompatTag;
  const fnNode = fn.node;
  const root: WalkEntry = { node: fnNode, parent: null, key: '', index: -1, scope: fn.scope, exit: false };
  const raw: ClosureState['raw'] = [];
  const stack: WalkEntry[] = [];
  const pushChildren = (entry: WalkEntry): void =>
    pushChildrenReversed(entry.node, keysOf, (node, key, index) => {
      stack.push({ node, parent: entry, key, index, scope: entry.scope, exit: false });
    });
  try {
    pushChildren(root);
    while (stack.length > 0) {
      const entry = stack.pop()!;
      const node = entry.node;
      const type = node.type;
      if (entry.exit) {
        if (OWN_THIS.has(type)) state.ownThisDepth--;
        if (FUNCTION_TYPES.has(type) && type !== 'ArrowFunctionExpression') state.ownThisDepth--;
        else if (type === 'ClassDeclaration' || type === 'ClassExpression') state.classDepth--;
        continue;
      }
      const parent = entry.parent!;
      const parentNode = parent.node;
      // path.setScope(): a method's key and decorators, and a switch's discriminant, take the
      // scope outside their parent.
      let target = parent.scope;
      if (
        ((entry.index < 0 && entry.key === 'key') || (entry.index >= 0 && entry.key === 'decorators')) &&
        isMethod(parentNode)
      ) {
        target = parent.parent ? parent.parent.scope : fn.parentPath!.scope;
      } else if (entry.index < 0 && entry.key === 'discriminant' && parentNode.type === 'SwitchStatement') {
        target = parent.parent ? parent.parent.scope : fn.parentPath!.scope;
      }
      if (isScopeNode(node, parentNode)) {
        const scope = crawledScope(internals, node, parentNode);
        if (!scope) throw new NoCachedScope();
        entry.scope = scope;
      } else {
        entry.scope = target;
      }

      // closureVisitor.enter
      if (
        parentNode === fnNode &&
        ((entry.index < 0 && entry.key === 'key') || (entry.index >= 0 && entry.key === 'decorators'))
      )
        continue;
      if (type.startsWith('TS') && !TS_VALUE_NODES.has(type)) continue;
      if (type === 'TypeAnnotation' || type === 'TypeParameterDeclaration' || type === 'TypeParameterInstantiation')
        continue;
      if (OWN_THIS.has(type)) state.ownThisDepth++;

      // The type visitors.
      let exit = OWN_THIS.has(type);
      if (FUNCTION_TYPES.has(type)) {
        if (type !== 'ArrowFunctionExpression') {
          state.ownThisDepth++;
          exit = true;
        }
      } else if (type === 'ClassDeclaration' || type === 'ClassExpression') {
        state.classDepth++;
        exit = true;
      } else if (type === 'PrivateName') {
        if (state.classDepth === 0) forbidPrivateName(state, node as t.PrivateName);
      } else if (type === 'ThisExpression') {
        if (state.ownThisDepth === 0) forbid(state, node, 'this');
      } else if (type === 'Super') {
        if (state.ownThisDepth === 0) forbid(state, node, 'super');
      } else if (type === 'MetaProperty') {
        if (state.ownThisDepth === 0 && (node as t.MetaProperty).meta.name === 'new') forbid(state, node, 'new.target');
      } else if (type === 'Identifier' || type === 'JSXIdentifier') {
        const name = (node as t.Identifier).name;
        const grandparent = parent.parent ? parent.parent.node : fn.parent;
        const referenced =
          type === 'Identifier'
            ? isReferenced(node, parentNode, grandparent)
            : (parentNode.type === 'JSXMemberExpression' || !isCompatTag(name)) &&
              isReferenced(node, parentNode, grandparent);
        if (referenced) {
          const binding = entry.scope.getBinding(name);
          if (!binding) {
            if (name === 'arguments' && state.ownThisDepth === 0 && type === 'Identifier')
              forbid(state, node, 'arguments');
          } else if (
            binding.scope !== state.programScope &&
            binding !== state.exclude &&
            !isWithin(binding.scope, state.fnScope)
          ) {
            raw.push({ path: entry as unknown as NodePath<t.Identifier>, binding, segments: [] });
          }
        }
      }
      if (exit) {
        stack.push({ node, parent: null, key: '', index: -1, scope: entry.scope, exit: true });
      }
      pushChildren(entry);
    }
  } catch (error) {
    if (error instanceof NoCachedScope) return false;
    throw error;
  }
  // Paths only for what was recorded, reached from `fn` by their keys.
  for (const r of raw) {
    const entry = r.path as unknown as WalkEntry;
    const path = (cachedPath(internals, fn, nodeChain(entry)) ?? fn.get(keyPath(entry))) as NodePath<
      t.Identifier | t.JSXIdentifier
    >;
    if (path.node !== entry.node) return false;
    r.path = path;
    r.segments = memberChain(path);
  }
  state.raw = raw;
  return true;
}

/**
 * Captures of `fn`: reads of bindings declared outside `fn` but not at module level, as member
 * chains, deduplicated by prefix, in order of first appearance. `exclude` is a binding that is
 * not captured (a nested declaration's own name).
 */
export function analyseClosure(
  ctx: CompileContext,
  fn: NodePath<t.Function>,
  directive: string,
  exclude: Binding | undefined,
): ClosureAnalysis {
  const file = ctx.file;
  const state: ClosureState = {
    fnNode: fn.node,
    classDepth: 0,
    fnScope: fn.scope,
    programScope: fn.scope.getProgramParent(),
    exclude,
    ownThisDepth: 0,
    raw: [],
    file,
    directive,
  };
  if (!walkClosure(fn, state, ctx.internals, ctx.t)) {
    state.classDepth = 0;
    state.ownThisDepth = 0;
    state.raw = [];
    fn.traverse(closureVisitor, state);
  }
  const raw = state.raw;

  // Prefix dedupe: a chain is dropped when a shorter chain on the same binding covers it.
  const byKey = new Map<string, Capture>();
  const firstSeen = new Map<Capture, number>();
  raw.forEach((r, i) => {
    const text = captureText(r.binding.identifier.name, r.segments);
    if (!byKey.has(text)) {
      const capture: Capture = { root: r.binding.identifier.name, binding: r.binding, segments: r.segments, text };
      byKey.set(text, capture);
      firstSeen.set(capture, i);
    }
  });
  const all = [...byKey.values()];
  const covering = (c: Capture): Capture => {
    let best = c;
    for (const other of all) {
      if (other.binding !== c.binding || other.segments.length >= best.segments.length) continue;
      if (other.segments.every((s, i) => s.name === c.segments[i]!.name && s.optional === c.segments[i]!.optional))
        best = other;
    }
    return best;
  };
  const references: Reference[] = [];
  const order = new Map<Capture, number>();
  for (const [i, r] of raw.entries()) {
    const capture = covering(byKey.get(captureText(r.binding.identifier.name, r.segments))!);
    references.push({ path: r.path, capture });
    if (!order.has(capture)) order.set(capture, i);
  }
  const captures = [...order.keys()].sort((a, b) => order.get(a)! - order.get(b)!);

  for (const capture of captures) checkNotAssigned(capture.binding, fn, file, directive);
  return { captures, references };
}

/**
 * `a.b.c` read from identifier `a`: the property names, stopping at computed access. A method
 * call `a.b.c()` captures its receiver `a.b`, not `a.b.c`: calling a detached `a.b.c` would lose
 * `this` (capturing `a.b` for a call `a.b()` would break `db.query()`, `user.getName()`).
 */
function memberChain(id: NodePath): Segment[] {
  const segments: Segment[] = [];
  if (!id.isIdentifier()) return segments; // JSX names are captured as the root only
  let top: NodePath = id;
  for (;;) {
    const parent = top.parentPath;
    if (!parent) break;
    const p = parent.node;
    if (
      (p.type === 'MemberExpression' || p.type === 'OptionalMemberExpression') &&
      p.object === top.node &&
      !p.computed &&
      p.property.type === 'Identifier'
    ) {
      segments.push({ name: p.property.name, optional: p.type === 'OptionalMemberExpression' && p.optional === true });
      top = parent;
    } else break;
  }
  if (segments.length > 0 && (isWriteTarget(top) || isCalledAsMethod(top))) segments.pop();
  return segments;
}

/** `top` is what a call or tagged template invokes, so its last property is a method name. */
function isCalledAsMethod(top: NodePath): boolean {
  const p = top.parent;
  if (!p) return false;
  if (p.type === 'CallExpression' || p.type === 'OptionalCallExpression') return p.callee === top.node;
  return p.type === 'TaggedTemplateExpression' && p.tag === top.node;
}

function checkNotAssigned(binding: Binding, fn: NodePath<t.Function>, file: BabelFile, directive: string): void {
  const { start, end } = fn.node;
  if (start == null || end == null) return;
  for (const violation of binding.constantViolations) {
    const node = violation.node as t.Node | null; // null once an earlier pass removed it
    if (node && node.start != null && node.start >= start && node.end! <= end) {
      throw diagnostic(
        file,
        node,
        Codes.assignmentToCapture,
        `Cannot assign to \`${binding.identifier.name}\` inside a ${quote(directive)} function: it is captured from ` +
          'the enclosing function and passed by value, so the assignment would not be seen outside. ' +
          'Use a local variable, or return the new value.',
      );
    }
  }
}

/**
 * Replace every captured reference inside the function with its parameter. Returns the paths of
 * the new references (to register them with the parameters' bindings).
 */
export function rewriteCaptures(
  analysis: ClosureAnalysis,
  paramNames: Map<Capture, string>,
  t: typeof import('@babel/types'),
): NodePath[] {
  const rewritten: NodePath[] = [];
  for (const { path, capture } of analysis.references) {
    const param = paramNames.get(capture)!;
    if (path.isJSXIdentifier()) {
      path.replaceWith(t.jsxIdentifier(param));
      rewritten.push(path);
      continue;
    }
    let target: NodePath = path;
    for (let i = 0; i < capture.segments.length; i++) target = target.parentPath!;
    const parent = target.parentPath;
    const hadOptional = capture.segments.some((s) => s.optional);
    if (target !== path && path.parentPath?.isObjectProperty({ shorthand: true })) {
      path.parentPath.node.shorthand = false;
    }
    if (target === path && parent?.isObjectProperty({ shorthand: true }) && parent.node.value === path.node) {
      parent.node.shorthand = false;
    }
    target.replaceWith(t.identifier(param));
    rewritten.push(target);
    // `a?.b.c` with `a?.b` captured: keep the short-circuit on the rest of the chain.
    if (hadOptional && parent) {
      const p = parent.node;
      if (
        (p.type === 'OptionalMemberExpression' && p.object === target.node) ||
        (p.type === 'OptionalCallExpression' && p.callee === target.node)
      ) {
        p.optional = true;
      }
    }
  }
  return rewritten;
}

/** The expression that reads a capture at the call site: `user.name`, `a?.b`. */
export function captureExpression(capture: Capture, t: typeof import('@babel/types')): t.Expression {
  let expr: t.Expression = t.identifier(capture.root);
  let optionalChain = false;
  for (const s of capture.segments) {
    if (s.optional || optionalChain) {
      optionalChain = true;
      expr = t.optionalMemberExpression(expr, t.identifier(s.name), false, s.optional);
    } else {
      expr = t.memberExpression(expr, t.identifier(s.name));
    }
  }
  return expr;
}
