// Server-layer output: cache wrappers and server references for file-level and inline
// directives, the runtime import, and the `next/cache` redirect (docs/runtime-contract.md).
import type { NodePath } from '@babel/core';
import type * as t from '@babel/types';
import { becomeDeclaration, cachedPath, statementPath } from '../babel-internals.js';
import { idFor, recordReference, runtimeHelper, runtimeImport, withLoc, type CompileContext } from '../context.js';
import { Codes, diagnostic, quote } from '../diagnostics.js';
import { ownDirectives, type ReferenceDirective, type ScanResult } from '../directives.js';
import { ExportedBindings } from '../export-bindings.js';
import { cacheFunctionCall, type CachedFunctionNode } from '../cache-call.js';
import { writeCodeHashes } from '../code-hash.js';
import { forwardingDeclaration } from '../forwarder.js';
import { collectExportTargets, unwrap, type ExportTarget } from '../exports.js';
import { liftInlineFunction, removeDirective, type InlineFunction } from '../hoist.js';
import { innerSelfBinding, outerSelfBinding, redirectSelfReferences, referencesInside } from '../self-reference.js';

/** `next/cache` names the runtime provides under the same name. */
const NEXT_CACHE_NAMES = new Set([
  'cacheLife',
  'cacheTag',
  'revalidateTag',
  'updateTag',
  'expireTag',
  'unstable_cacheLife',
  'unstable_cacheTag',
  'unstable_expireTag',
  'unstable_cache',
]);

export function importsNextCache(program: t.Program): boolean {
  return program.body.some(
    (s) => (s.type === 'ImportDeclaration' || s.type === 'ExportNamedDeclaration') && s.source?.value === 'next/cache',
  );
}

/** `fileInfo`: the file-level directive, if any (a `'use client'` file never gets here). */
export function compileServer(ctx: CompileContext, scan: ScanResult, fileInfo: ReferenceDirective | null): void {
  // Paths first: the scan's key paths index the original statement lists.
  const inline = prepareInline(ctx, scan, fileInfo);
  if (ctx.options.nextCompat && importsNextCache(ctx.program.node)) redirectNextCache(ctx);
  // Innermost first: an outer function then sees the inner one's bound reference, not its body.
  for (let i = inline.length - 1; i >= 0; i--) liftInlineFunction(ctx, inline[i]!);
  if (scan.fileDirective && fileInfo) {
    const exported = new ExportedBindings(ctx);
    for (const target of fileTargets(ctx, scan, fileInfo)) compileFileTarget(ctx, target, exported);
    exported.emit();
    removeDirective(ctx.program.node, scan.fileDirective.node);
  }
  emitModuleStatements(ctx);
  writeCodeHashes(ctx);
}

/** Export targets, collected once per file (prepareInline and the file-level pass both need them). */
function fileTargets(ctx: CompileContext, scan: ScanResult, info: ReferenceDirective): ExportTarget[] {
  return (ctx.exportTargets ??= collectExportTargets(ctx, info, ownDirectives(scan)));
}

/**
 * Paths and generated export names of the inline directive functions, in source order. An
 * exported function of a file with a file-level directive is compiled once, as a file-level
 * export, with its own directive when it carries one (a `'use cache'` function in a
 * `'use server'` file is cached).
 */
function prepareInline(ctx: CompileContext, scan: ScanResult, fileInfo: ReferenceDirective | null): InlineFunction[] {
  const exportedFunctions = new Set<t.Node>();
  if (fileInfo) {
    for (const target of fileTargets(ctx, scan, fileInfo)) exportedFunctions.add(target.path.node);
  }
  const counters = { cache: 0, server: 0 };
  const result: InlineFunction[] = [];
  const children = new Map<NodePath, Map<string, NodePath | NodePath[]>>();
  for (const found of scan.functions) {
    ctx.directiveFunctions.add(found.node);
    for (let i = 0; i < found.chain.length - 1; i++) ctx.enclosingDirectiveFunctions.add(found.chain[i]!);
    if (exportedFunctions.has(found.node)) {
      removeDirective(found.node, found.directive);
      continue;
    }
    const exportName = ctx.names.take(`$$${found.info.type}_${counters[found.info.type]++}`);
    const path = cachedPath(ctx.internals, ctx.program, found.chain) ?? pathAt(ctx.program, found.keyPath, children);
    result.push({ ...found, exportName, path: path as InlineFunction['path'] });
  }
  return result;
}

/**
 * `program.get('body.3.declarations.0.init')`, but sharing the child lists between lookups:
 * `get('body')` builds the paths of the whole list, so calling it once per function would be
 * quadratic in the number of statements.
 */
function pathAt(
  program: NodePath,
  keyPath: string,
  children: Map<NodePath, Map<string, NodePath | NodePath[]>>,
): NodePath {
  const parts = keyPath.split('.');
  let path: NodePath = program;
  for (let i = 0; i < parts.length; i++) {
    const key = parts[i]!;
    let byKey = children.get(path);
    if (!byKey) children.set(path, (byKey = new Map()));
    let child = byKey.get(key);
    if (!child) byKey.set(key, (child = path.get(key) as NodePath | NodePath[]));
    if (Array.isArray(child)) child = child[Number(parts[++i])]!;
    path = child;
  }
  return path;
}

/** The reference a file-level export defines (metadata); returns its id. */
function recordFileReference(ctx: CompileContext, target: ExportTarget): string {
  const { info } = target;
  const id = idFor(ctx, target.exportName);
  recordReference(ctx, {
    id,
    info,
    exportName: target.exportName,
    localName: target.localName,
    level: 'file',
    captures: [],
    node: target.path.node,
  });
  return id;
}

/**
 * The wrapper of a file-level export: `cacheFunction` / `serverReference` for a function the
 * source shows, `cacheExport` / `serverExport` for a value only the running module knows (wrapped
 * or registered when it is a function, exported unchanged otherwise).
 */
function wrapFileExport(
  ctx: CompileContext,
  info: ReferenceDirective,
  id: string,
  value: t.Expression,
  staticFunction: boolean,
): t.Expression {
  const { t } = ctx;
  if (info.type === 'server') {
    const helper = staticFunction ? 'serverReference' : 'serverExport';
    return t.callExpression(runtimeHelper(ctx, helper), [t.stringLiteral(id), value]);
  }
  if (staticFunction) return cacheFunctionCall(ctx, id, info.cacheKind, value, unwrap(value) as CachedFunctionNode);
  return t.callExpression(runtimeHelper(ctx, 'cacheExport'), [
    t.stringLiteral(id),
    t.stringLiteral(info.cacheKind),
    value,
  ]);
}

function compileFileTarget(ctx: CompileContext, target: ExportTarget, exported: ExportedBindings): void {
  const { t } = ctx;
  const { info } = target;
  const id = recordFileReference(ctx, target);
  const wrap = (value: t.Expression, staticFunction: boolean): t.Expression =>
    wrapFileExport(ctx, info, id, value, staticFunction);

  switch (target.form) {
    case 'binding': {
      // A re-export has no local of its own: the reference lives in the generated `$$export_x`.
      const reference = ctx.references[ctx.references.length - 1]!;
      return exported.add(
        target,
        (value) => wrap(value, false),
        (local) => {
          if (target.value.from === 'module') reference.localName = local;
        },
      );
    }
    case 'expression':
      if (info.type === 'cache' && target.staticFunction) redirectExpressionName(ctx, target.path);
      target.path.replaceWith(withLoc(wrap(target.path.node, target.staticFunction), target.path.node));
      return;
    case 'anonymousDeclaration': {
      const fn = target.path.node;
      const expr = withLoc(t.functionExpression(null, fn.params, fn.body, false, true), fn);
      target.path.parentPath.replaceWith(withLoc(t.exportDefaultDeclaration(wrap(expr, true)), fn));
      return;
    }
    case 'declaration': {
      const fn = target.path.node;
      const order = fn.start ?? 0;
      if (info.type === 'cache') {
        // The body moves into `const $$cache_f = cacheFunction(...)`; the declaration stays as a
        // hoisted forwarder so `f` is callable before its line and in import cycles.
        const helper = ctx.names.take(`$$cache_${target.localName}`);
        // Inside, its name means the cached function (the function expression's own name would not).
        redirectSelfReferences(
          referencesInside(target.path, [outerSelfBinding(target.path)]),
          () => t.identifier(helper),
          () => t.jsxIdentifier(helper),
        );
        const expr = withLoc(t.functionExpression(fn.id, fn.params, fn.body, false, true), fn);
        expr.returnType = fn.returnType ?? null;
        ctx.lifted.push({
          order,
          statement: withLoc(
            t.variableDeclaration('const', [t.variableDeclarator(t.identifier(helper), wrap(expr, true))]),
            fn,
          ),
        });
        const forward = forwardingDeclaration(ctx, target.localName, helper, [], fn);
        becomeDeclaration(ctx.internals, t, target.path, forward);
      }
      // The declaration itself is the reference frameworks serialise (hoisted, same identity).
      const register = t.callExpression(runtimeHelper(ctx, 'serverReference'), [
        t.stringLiteral(id),
        t.identifier(target.localName),
      ]);
      ctx.lifted.push({ order: order + 0.5, statement: t.expressionStatement(register) });
      return;
    }
  }
}

/**
 * `export const load = async function fetchIt(n) { ... fetchIt(n - 1) }`: inside, `fetchIt` would
 * be the raw function; it becomes `load`, the cached one (where `load` is not shadowed).
 */
function redirectExpressionName(ctx: CompileContext, valuePath: NodePath): void {
  let path = valuePath;
  while (path.node !== unwrap(path.node)) path = path.get('expression') as NodePath;
  if (!path.isFunctionExpression()) return;
  const holder = outerSelfBinding(path);
  if (!holder) return;
  const name = holder.identifier.name;
  const refs = referencesInside(path, [innerSelfBinding(path)]).filter((r) => r.scope.getBinding(name) === holder);
  redirectSelfReferences(
    refs,
    () => ctx.t.identifier(name),
    () => ctx.t.jsxIdentifier(name),
  );
}

/** `import { cacheLife } from 'next/cache'` -> the same names from the runtime. */
function redirectNextCache(ctx: CompileContext): void {
  const { t } = ctx;
  for (const node of ctx.program.node.body) {
    if (
      (node.type !== 'ImportDeclaration' && node.type !== 'ExportNamedDeclaration') ||
      node.source?.value !== 'next/cache'
    )
      continue;
    if (node.type === 'ImportDeclaration' && node.importKind === 'type') continue;
    if (node.type === 'ExportNamedDeclaration' && node.exportKind === 'type') continue;
    const specifiers = node.specifiers as t.Node[];
    // A value name the runtime does not provide (`revalidatePath`, `refresh`) would only fail at
    // run time outside Next.js: say so now, at the import.
    for (const s of specifiers) {
      const name = nextCacheName(s);
      if (name !== null && name !== '*' && !NEXT_CACHE_NAMES.has(name)) throw unsupportedNextCacheName(ctx, s, name);
    }
    if (specifiers.every((s) => nextCacheName(s) === null)) continue;
    node.source = withLoc(t.stringLiteral(ctx.options.runtime), node.source!);
  }
}

/** The `next/cache` name a value specifier brings in (`'*'` for a namespace), or null for a type-only one. */
function nextCacheName(s: t.Node): string | null {
  if (s.type === 'ImportNamespaceSpecifier') return '*';
  if (s.type === 'ImportDefaultSpecifier') return 'default';
  if (s.type === 'ImportSpecifier') {
    if (s.importKind === 'type') return null;
    return s.imported.type === 'Identifier' ? s.imported.name : s.imported.value;
  }
  if (s.type === 'ExportSpecifier') {
    if (s.exportKind === 'type') return null;
    return s.local.name;
  }
  return null;
}

function unsupportedNextCacheName(ctx: CompileContext, specifier: t.Node, name: string): Error {
  const known = [...NEXT_CACHE_NAMES].join(', ');
  return diagnostic(
    ctx.file,
    specifier,
    Codes.unsupportedNextCacheName,
    `${quote(name)} from 'next/cache' is not provided by ${ctx.options.runtime}, so it would fail at run time ` +
      `outside Next.js. Names it provides: ${known}. Remove the import, or set the plugin option ` +
      '"nextCompat": false to leave next/cache imports alone.',
  );
}

/** Runtime import and lifted declarations, after the module's leading imports. */
function emitModuleStatements(ctx: CompileContext): void {
  if (ctx.runtimeImports.size === 0 && ctx.lifted.length === 0) return;
  const statements: t.Statement[] = [];
  const helpers = runtimeImport(ctx);
  if (helpers) {
    // One import line per module: join the file's own import of the runtime when it has one.
    const own = runtimeImportOf(ctx);
    if (own) own.specifiers.push(...helpers.specifiers);
    else statements.push(helpers);
  }
  statements.push(...ctx.lifted.sort((a, b) => a.order - b.order).map((l) => l.statement));
  const index = insertAfterImports(ctx.program, statements);
  registerLiftedBindings(ctx, index, statements);
}

/**
 * The file's value import of named bindings from the runtime (`import { cacheLife } from
 * 'babel-plugin-use-cache/runtime'`, or a `next/cache` import redirected there), which the
 * helpers can join; not a type-only or namespace import.
 */
function runtimeImportOf(ctx: CompileContext): t.ImportDeclaration | undefined {
  for (const node of ctx.program.node.body) {
    if (
      node.type === 'ImportDeclaration' &&
      node.source.value === ctx.options.runtime &&
      node.importKind !== 'type' &&
      node.importKind !== 'typeof' &&
      node.specifiers.length > 0 &&
      node.specifiers.every((s) => s.type === 'ImportSpecifier' || s.type === 'ImportDefaultSpecifier')
    ) {
      return node;
    }
  }
  return undefined;
}

/**
 * Tell Babel's scope about the lifted `$$cache_0` / `$$server_0` declarations, so later plugins
 * (preset-typescript checks `export default $$cache_0` against it, and warns otherwise) see them
 * as values. The runtime import stays unregistered on purpose: preset-typescript elides imports
 * whose bindings it finds unreferenced.
 */
function registerLiftedBindings(ctx: CompileContext, index: number, statements: t.Statement[]): void {
  const program = ctx.program;
  statements.forEach((statement, i) => {
    const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
    if (declaration?.type !== 'VariableDeclaration') return;
    program.scope.registerDeclaration(statementPath(ctx.internals, program, index + i));
  });
}

/** Returns the index of the first inserted statement. */
export function insertAfterImports(program: NodePath<t.Program>, statements: t.Statement[]): number {
  // Spliced into the statement list, not `insertBefore`: Babel's traversal of the Program, which
  // has not reached its body yet, visits them in place like any other statement (insertBefore
  // would also build a path per statement and queue each one for a second visit).
  const body = program.node.body;
  let index = 0;
  while (index < body.length && body[index]!.type === 'ImportDeclaration') index++;
  body.splice(index, 0, ...statements);
  return index;
}
