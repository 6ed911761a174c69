// Lifting a function-level directive function to module scope (docs/compiler.md, docs/runtime-contract.md):
// the function becomes `export const $$cache_0 = cacheFunction(id, kind, fn)` (or
// `serverReference(id, fn)`) after the imports, its captured values become leading parameters,
// and the place it stood gets the reference, bound to the captured values.
import type { NodePath } from '@babel/core';
import type { Binding } from '@babel/traverse';
import type * as t from '@babel/types';
import { idFor, localName, recordReference, runtimeHelper, withLoc, type CompileContext } from './context.js';
import { forwardingDeclaration } from './forwarder.js';
import { becomeDeclaration, moveKeepingPath, restoreBinding } from './babel-internals.js';
import { cacheFunctionCall } from './cache-call.js';
import { Codes, diagnostic, quote } from './diagnostics.js';
import { checkDirectiveFunction, directiveText, type FoundFunction } from './directives.js';
import { analyseClosure, captureExpression, rewriteCaptures, type Capture } from './closure.js';
import {
  innerSelfBinding,
  outerSelfBinding,
  redirectSelfReferences,
  referencesInside,
  type SelfReference,
} from './self-reference.js';

type AnyFunction = FoundFunction['node'];

export interface InlineFunction extends FoundFunction {
  path: NodePath<AnyFunction>;
  exportName: string;
}

/** Remove a directive from its prologue. */
export function removeDirective(fn: AnyFunction | t.Program, directive: t.Directive): void {
  const body = fn.type === 'Program' ? fn : (fn.body as t.BlockStatement);
  body.directives = body.directives.filter((d) => d !== directive);
}

function isModuleLevelDeclaration(path: NodePath): boolean {
  const parent = path.parentPath;
  if (!parent) return false;
  if (parent.isProgram()) return true;
  return (parent.isExportNamedDeclaration() || parent.isExportDefaultDeclaration()) && !!parent.parentPath?.isProgram();
}

/** The name users know the function by (metadata `localName`). */
function displayName(path: NodePath<AnyFunction>, fallback: string): string {
  const node = path.node;
  if ((node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression') && node.id) return node.id.name;
  if ((node.type === 'ObjectMethod' || node.type === 'ClassMethod') && !node.computed && node.key.type === 'Identifier')
    return node.key.name;
  if (node.type === 'ClassPrivateMethod') return `#${node.key.id.name}`;
  const parent = path.parentPath?.node;
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name;
  if (parent?.type === 'ObjectProperty' && !parent.computed && parent.key.type === 'Identifier') return parent.key.name;
  if (parent?.type === 'JSXExpressionContainer') {
    const attr = path.parentPath?.parentPath?.node;
    if (attr?.type === 'JSXAttribute' && attr.name.type === 'JSXIdentifier') return attr.name.name;
  }
  return fallback;
}

/** `node` as a function expression (arrows and expressions stay as they are). */
function asExpression(ctx: CompileContext, node: AnyFunction): t.FunctionExpression | t.ArrowFunctionExpression {
  const { t } = ctx;
  if (node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') return node;
  const id = node.type === 'FunctionDeclaration' ? (node.id ?? null) : null;
  const expr = t.functionExpression(id, node.params as t.FunctionExpression['params'], node.body, false, true);
  expr.returnType = node.returnType ?? null;
  expr.typeParameters = (node.typeParameters as t.FunctionExpression['typeParameters']) ?? null;
  return withLoc(expr, node);
}

export function liftInlineFunction(ctx: CompileContext, fn: InlineFunction): void {
  const { t, file } = ctx;
  const { path, info, exportName } = fn;
  const node = path.node;
  const directive = directiveText(info);
  checkDirectiveFunction(file, node, directive);
  removeDirective(node, fn.directive);
  const id = idFor(ctx, exportName);
  const name = displayName(path, exportName);

  const declaration = path.isFunctionDeclaration() ? path : null;
  const moduleLevel = declaration !== null && isModuleLevelDeclaration(declaration);
  const ownName = declaration?.node.id?.name;
  const ownBinding = declaration && ownName ? declaration.parentPath.scope.getBinding(ownName) : undefined;
  // The function's own name is not a captured value: it is redirected to the wrapped function.
  const selfBinding = outerSelfBinding(path);
  const analysis = analyseClosure(ctx, path as NodePath<t.Function>, directive, selfBinding);
  const { captures } = analysis;

  recordReference(ctx, {
    id,
    info,
    exportName,
    localName: name,
    level: 'inline',
    captures: captures.map((c) => c.text),
    node,
  });

  // A module-level server function declaration is already what it must be: keep it in place
  // (hoisted, same identity) and register it under its generated export name.
  if (info.type === 'server' && moduleLevel && ownName) {
    registerDeclaration(ctx, fn.order, id, ownName);
    ctx.lifted.push({
      order: fn.order,
      statement: t.exportNamedDeclaration(null, [t.exportSpecifier(t.identifier(ownName), t.identifier(exportName))]),
    });
    return;
  }

  // Parameters standing for the captured values.
  const params = new Map<Capture, string>(captures.map((c, i) => [c, localName(ctx, `$$c${i}`)]));
  const defaultsUseCaptures = analysis.references.some((r) => isInParams(r.path, path));
  const rewritten = rewriteCaptures(analysis, params, t);
  // A cached function's own name means the cached function (recursion hits the cache at every
  // level); an action's, when it captures values, the action bound to them.
  if (info.type === 'cache' || captures.length > 0) {
    const self = referencesInside(path, [selfBinding, innerSelfBinding(path)]);
    if (captures.length > 0) checkNoJsxSelfReference(ctx, self, directive);
    const captureNames = captures.map((c) => params.get(c)!);
    const replaced = redirectSelfReferences(
      self,
      () =>
        boundReference(
          ctx,
          exportName,
          id,
          info.type,
          captureNames.map((n) => t.identifier(n)),
        ),
      () => t.jsxIdentifier(exportName),
    );
    if (captures.length > 0) rewritten.push(...identifiersNamed(replaced, new Set(captureNames)));
  }
  const lifted = asExpression(ctx, path.node);
  // A function or arrow expression moves as it is: it keeps its NodePath and its scope, which
  // Babel would otherwise create anew at the new place and crawl a second time. Left to that
  // crawl: actions whose parameters move below the decryption (a default reads a captured
  // value), and functions holding another directive function (the bound reference that replaced
  // it reads this function's bindings through new identifiers).
  // Only with Babel's caches (babel-internals.ts); without them, `replaceWith` at the call site.
  const internals = ctx.internals;
  const keepsScope =
    internals !== null &&
    lifted === node &&
    !(info.type === 'server' && captures.length > 0 && defaultsUseCaptures) &&
    !ctx.enclosingDirectiveFunctions.has(node);
  const captureParams = captures.map((c) => t.identifier(params.get(c)!));
  let wrapped: t.Expression;
  if (info.type === 'cache') {
    // Captured values arrive in one argument (encrypted when sent to a client); the runtime keys
    // the call by the values and hands the body the decoded array: `async ([$$c0, $$c1], day) => ...`.
    if (captures.length > 0) lifted.params.unshift(t.arrayPattern(captureParams));
    wrapped = cacheFunctionCall(ctx, id, info.cacheKind, lifted, lifted, captures.length > 0);
  } else {
    if (captures.length > 0) bindEncryptedCaptures(ctx, lifted, id, captureParams, defaultsUseCaptures);
    wrapped = t.callExpression(runtimeHelper(ctx, 'serverReference'), [t.stringLiteral(id), lifted]);
  }
  ctx.lifted.push({
    order: fn.order,
    statement: withLoc(
      t.exportNamedDeclaration(
        t.variableDeclaration('const', [t.variableDeclarator(t.identifier(exportName), wrapped)]),
      ),
      node,
    ),
  });

  const bound = boundReference(
    ctx,
    exportName,
    id,
    info.type,
    captures.map((c) => captureExpression(c, t)),
  );
  if (keepsScope) {
    if (captures.length > 0) registerAddedBindings(path as NodePath<t.Function>, info.type, rewritten);
    moveKeepingPath(internals, t, path, bound, wrapped);
  } else {
    replaceAtCallSite(ctx, fn, bound, captures, id, moduleLevel, ownBinding);
  }
}

/**
 * What a fresh scope crawl would add to the kept scope of a lifted function: the bindings that
 * stand for the captured values (the leading `[$$c0, ...]` parameter of a cached function;
 * `$$bound` and the decrypted `const [$$c0, ...]` of an action) and the references to them.
 */
function registerAddedBindings(path: NodePath<t.Function>, type: 'cache' | 'server', rewritten: NodePath[]): void {
  const scope = path.scope;
  const params = path.get('params') as NodePath[];
  const references = [...rewritten];
  if (type === 'cache') {
    scope.registerBinding('param', params[0]!); // [$$c0, ...]
  } else {
    scope.registerBinding('param', params[0]!); // $$bound
    const decrypt = path.get('body.body.0') as NodePath<t.VariableDeclaration>;
    scope.registerDeclaration(decrypt);
    references.push(decrypt.get('declarations.0.init.argument.arguments.1') as NodePath);
  }
  for (const reference of references) {
    const node = reference.node as t.Identifier | t.JSXIdentifier;
    reference.scope.getBinding(node.name)?.reference(reference);
  }
}

/**
 * `$$cache_0`, `$$cache_0.bind(null, encryptOnSend(id, [a, b.c]))` or
 * `$$server_0.bind(null, encryptBound(id, [a]))`, `values` being the captured values (at the call
 * site) or their parameters (inside the function, where its own name means it).
 */
function boundReference(
  ctx: CompileContext,
  exportName: string,
  id: string,
  type: 'cache' | 'server',
  values: t.Expression[],
): t.Expression {
  const { t } = ctx;
  const ref = t.identifier(exportName);
  if (values.length === 0) return ref;
  return t.callExpression(t.memberExpression(ref, t.identifier('bind')), [
    t.nullLiteral(),
    encryptedCaptures(ctx, id, type, values),
  ]);
}

/**
 * Captured values of actions and of cached functions alike can reach the browser with their bound
 * reference, so they travel encrypted (docs/compiler.md, closure capture). An action's are
 * encrypted at once (`encryptBound(id, [a, b.c])`: its body always decrypts them); a cached
 * function's only when React sends the reference to a client (`encryptOnSend(id, [a, b.c])`), so
 * a call on the server, the common case, keys by the values without any cryptography.
 */
function encryptedCaptures(
  ctx: CompileContext,
  id: string,
  type: 'cache' | 'server',
  values: t.Expression[],
): t.Expression {
  const { t } = ctx;
  const helper = type === 'cache' ? 'encryptOnSend' : 'encryptBound';
  return t.callExpression(runtimeHelper(ctx, helper), [t.stringLiteral(id), t.arrayExpression(values)]);
}

/**
 * Server actions receive their captured values as one encrypted argument, decrypted first thing.
 * When a default parameter reads a captured value, the parameters move below the decryption.
 */
function bindEncryptedCaptures(
  ctx: CompileContext,
  fn: t.FunctionExpression | t.ArrowFunctionExpression,
  id: string,
  captureParams: t.Identifier[],
  defaultsUseCaptures: boolean,
): void {
  const { t } = ctx;
  const body = fn.body as t.BlockStatement;
  const bound = t.identifier(localName(ctx, '$$bound'));
  const decrypt = t.variableDeclaration('const', [
    t.variableDeclarator(
      t.arrayPattern(captureParams),
      t.awaitExpression(t.callExpression(runtimeHelper(ctx, 'decryptBound'), [t.stringLiteral(id), bound])),
    ),
  ]);
  const statements: t.Statement[] = [decrypt];
  if (defaultsUseCaptures) {
    const args = t.identifier(localName(ctx, '$$args'));
    const elements = fn.params.map((p) => {
      if ('typeAnnotation' in p) p.typeAnnotation = null; // type annotations are not allowed in patterns
      return p;
    }) as (t.PatternLike | null)[];
    statements.push(t.variableDeclaration('var', [t.variableDeclarator(t.arrayPattern(elements), args)]));
    fn.params = [bound, t.restElement(args)];
  } else {
    fn.params.unshift(bound);
  }
  body.body.unshift(...statements);
}

function isInParams(ref: NodePath, fn: NodePath): boolean {
  for (let p: NodePath | null = ref; p && p !== fn; p = p.parentPath) {
    if (p.parentPath === fn && p.listKey === 'params') return true;
  }
  return false;
}

/**
 * `<Tree />` inside a function that captures values: JSX cannot name a bound function, so it
 * would render the function without its captured values.
 */
function checkNoJsxSelfReference(ctx: CompileContext, self: SelfReference[], directive: string): void {
  const jsx = self.find((r) => r.isJSXIdentifier());
  if (jsx) {
    throw diagnostic(
      ctx.file,
      jsx.node,
      Codes.recursiveCapture,
      `A ${quote(directive)} function that captures variables cannot render itself as JSX (<${jsx.node.name} />): ` +
        `the element could not carry the captured values. Call it as a function (\`await ${jsx.node.name}(props)\`), ` +
        'or move it to module level and pass the values as props.',
    );
  }
}

/** The identifiers named `names` inside the replaced paths (to register them with their bindings). */
function identifiersNamed(paths: NodePath[], names: Set<string>): NodePath[] {
  const found: NodePath[] = [];
  for (const path of paths) {
    path.traverse({
      Identifier(p) {
        if (names.has(p.node.name)) found.push(p);
      },
    });
  }
  return found;
}

/** Put `$$x_0...` where the function stood. */
function replaceAtCallSite(
  ctx: CompileContext,
  fn: InlineFunction,
  bound: t.Expression,
  captures: Capture[],
  id: string,
  moduleLevel: boolean,
  ownBinding: Binding | undefined,
): void {
  const { t } = ctx;
  const path = fn.path;
  const node = path.node;
  switch (node.type) {
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      path.replaceWith(bound);
      return;
    case 'ObjectMethod':
      path.replaceWith(withLoc(t.objectProperty(node.key, bound, node.computed), node));
      return;
    case 'ClassMethod':
      path.replaceWith(withLoc(t.classProperty(node.key, bound, null, null, node.computed, true), node));
      return;
    case 'ClassPrivateMethod':
      path.replaceWith(withLoc(t.classPrivateProperty(node.key, bound, null, true), node));
      return;
    case 'FunctionDeclaration':
      break;
  }
  const declaration = path as NodePath<t.FunctionDeclaration>;
  const name = declaration.node.id?.name;
  if (!name) {
    // `export default async function () { 'use cache' }`
    declaration.parentPath.replaceWith(withLoc(t.exportDefaultDeclaration(bound), node));
    return;
  }
  if (moduleLevel) {
    // Module level: a hoisted forwarding declaration keeps the function callable before its line.
    becomeDeclaration(ctx.internals, t, declaration, forwardingDeclaration(ctx, name, fn.exportName, [], node));
    registerDeclaration(ctx, fn.order, id, name);
    return;
  }
  placeNestedDeclaration(ctx, fn, bound, captures, id, ownBinding!);
}

/** `serverReference(id, name)`: the declaration itself is the reference frameworks can serialize. */
function registerDeclaration(ctx: CompileContext, order: number, id: string, name: string): void {
  const { t } = ctx;
  ctx.lifted.push({
    order: order + 0.5,
    statement: t.expressionStatement(
      t.callExpression(runtimeHelper(ctx, 'serverReference'), [t.stringLiteral(id), t.identifier(name)]),
    ),
  });
}

/**
 * A directive function declaration inside a function. The rule (docs/runtime-contract.md):
 * without captures, `const f = $$cache_0` at the top of its block; with captures,
 * `const f = <bound reference>` right before the first statement of the block that uses `f`
 * (or where the declaration stood when nothing uses it), provided every captured variable is
 * initialised there. Otherwise (used before its captures exist) a hoisted forwarding function
 * declaration that reads the captured values at call time, exactly like the closure did.
 */
function placeNestedDeclaration(
  ctx: CompileContext,
  fn: InlineFunction,
  bound: t.Expression,
  captures: Capture[],
  id: string,
  binding: Binding,
): void {
  const { t } = ctx;
  const path = fn.path as NodePath<t.FunctionDeclaration>;
  const node = path.node;
  const name = node.id!.name;
  const fnStart = node.start ?? -1;
  const fnEnd = node.end ?? -1;

  const fallback = (): void => {
    path.replaceWith(
      forwardingDeclaration(
        ctx,
        name,
        fn.exportName,
        [
          encryptedCaptures(
            ctx,
            id,
            fn.info.type,
            captures.map((c) => captureExpression(c, t)),
          ),
        ],
        node,
      ),
    );
  };
  if (!Array.isArray(path.container) || path.listKey == null) return fallback();

  // Where the captured values are all initialised (a source position).
  let readyAt = -Infinity;
  for (const capture of captures) {
    const b = capture.binding;
    const decl = b.path.node as t.Node | null; // null when an earlier pass removed the declaration
    if (!decl || ctx.directiveFunctions.has(decl) || decl.start == null) return fallback();
    if (b.kind === 'param' || b.kind === 'hoisted') continue;
    if (decl.start <= fnStart && decl.end! >= fnEnd) continue; // encloses us: `for (const x of ...)`, catch
    const statement = b.path.parentPath?.isVariableDeclaration() ? b.path.parentPath.node : decl;
    readyAt = Math.max(readyAt, statement.end ?? Infinity);
  }
  // Where the function is first used (outside itself).
  let firstUse = Infinity;
  for (const ref of binding.referencePaths) {
    const s = (ref.node as t.Node | null)?.start;
    if (s == null || (s >= fnStart && s < fnEnd)) continue;
    firstUse = Math.min(firstUse, s);
  }
  if (firstUse < readyAt) return fallback();

  const parent = path.parentPath;
  const listKey = path.listKey;
  const declarator = t.variableDeclarator(t.identifier(name), bound);
  const statement = withLoc(
    t.variableDeclaration(binding.constantViolations.length > 0 ? 'let' : 'const', [declarator]),
    node,
  );
  path.remove();
  // `remove()` drops the binding from the scope; functions compiled later still resolve `name`.
  restoreBinding(binding, name);

  const siblings = parent.get(listKey) as NodePath<t.Statement>[];
  let index = 0;
  if (captures.length > 0) {
    // Before the statement holding the first use, or the first statement after the captures.
    const target = firstUse === Infinity ? Math.max(readyAt, fnStart) : firstUse;
    index = siblings.length;
    for (let i = 0; i < siblings.length; i++) {
      const s = siblings[i]!.node;
      if (s.start == null) continue;
      if (firstUse !== Infinity ? s.end! > target : s.start >= target) {
        index = i;
        break;
      }
    }
  }
  if (index < siblings.length) siblings[index]!.insertBefore(statement);
  else (parent as NodePath<t.BlockStatement>).pushContainer(listKey as 'body', statement);
}
