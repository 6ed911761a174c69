// File-level directives: every export form normalised into one list of targets, each saying
// which export name it has and which node holds its value. Types, interfaces, enums and
// `declare` exports are ignored; statically non-function exports are errors.
import type { NodePath } from '@babel/core';
import type * as t from '@babel/types';
import type { CompileContext } from './context.js';
import { Codes, diagnostic, quote } from './diagnostics.js';

export type ExportTarget = ExportForm & {
  /** Other names the same local is exported under (`export { f as g, f }`): one reference, several names. */
  aliases: string[];
};

type ExportForm =
  /** `export async function f`, `export default async function f`, a declaration exported by `export { f as g }`. */
  | { form: 'declaration'; exportName: string; localName: string; path: NodePath<t.FunctionDeclaration> }
  /** `export default async function () {}`: no local name to forward to. */
  | { form: 'anonymousDeclaration'; exportName: 'default'; localName: 'default'; path: NodePath<t.FunctionDeclaration> }
  /** A value expression to wrap in place: `const f = <expr>`, `export default <expr>`. */
  | {
      form: 'expression';
      exportName: string;
      localName: string;
      path: NodePath<t.Expression>;
      staticFunction: boolean;
    };

function unwrap(node: t.Node): t.Node {
  let n = node;
  while (
    n.type === 'TSAsExpression' ||
    n.type === 'TSSatisfiesExpression' ||
    n.type === 'TSNonNullExpression' ||
    n.type === 'TSTypeAssertion' ||
    n.type === 'ParenthesizedExpression'
  ) {
    n = n.expression;
  }
  return n;
}

/** true: an async function; false: statically something else; null: only known at run time. */
function isAsyncFunctionValue(node: t.Node): boolean | null {
  const n = unwrap(node);
  switch (n.type) {
    case 'ArrowFunctionExpression':
    case 'FunctionExpression':
    case 'FunctionDeclaration':
      return n.async && !n.generator;
    case 'ClassExpression':
    case 'ClassDeclaration':
    case 'ObjectExpression':
    case 'ArrayExpression':
    case 'StringLiteral':
    case 'NumericLiteral':
    case 'BooleanLiteral':
    case 'NullLiteral':
    case 'BigIntLiteral':
    case 'RegExpLiteral':
    case 'TemplateLiteral':
    case 'JSXElement':
    case 'JSXFragment':
      return false;
    default:
      return null;
  }
}

function exportedName(node: t.Identifier | t.StringLiteral): string {
  return node.type === 'Identifier' ? node.name : node.value;
}

export function collectExportTargets(ctx: CompileContext, directive: string): ExportTarget[] {
  const targets: ExportTarget[] = [];
  // The node holding each exported local's value -> its target, so a second export name of the
  // same local becomes an alias instead of a second (differently named, differently id'd) wrapper.
  const seenLocals = new Map<t.Node, ExportTarget>();
  const seen = (node: t.Node, exportName: string): boolean => {
    const target = seenLocals.get(node);
    if (target && target.exportName !== exportName && !target.aliases.includes(exportName))
      target.aliases.push(exportName);
    return target !== undefined;
  };
  const remember = (node: t.Node): void => {
    seenLocals.set(node, targets[targets.length - 1]!);
  };
  const notAsync = (node: t.Node, what: string): Error =>
    diagnostic(
      ctx.file,
      node,
      Codes.invalidExport,
      `Only async functions can be exported from a ${quote(directive)} file, but ${what} is not an async function.`,
    );

  const addValue = (exportName: string, localName: string, path: NodePath<t.Expression>, at: t.Node): void => {
    const known = isAsyncFunctionValue(path.node);
    if (known === false) throw notAsync(at, `"${exportName}"`);
    targets.push({ form: 'expression', exportName, localName, path, staticFunction: known === true, aliases: [] });
  };
  const addDeclaration = (exportName: string, path: NodePath<t.FunctionDeclaration>): void => {
    if (!path.node.async || path.node.generator) throw notAsync(path.node, `"${exportName}"`);
    if (path.node.id)
      targets.push({ form: 'declaration', exportName, localName: path.node.id.name, path, aliases: [] });
    else targets.push({ form: 'anonymousDeclaration', exportName: 'default', localName: 'default', path, aliases: [] });
  };
  const addDeclarator = (exportName: string, declarator: NodePath<t.VariableDeclarator>): void => {
    if (seen(declarator.node, exportName)) return;
    const id = declarator.node.id;
    if (id.type !== 'Identifier') throw notAsync(declarator.node, 'a destructured export');
    const init = declarator.get('init');
    if (!init.node) throw notAsync(declarator.node, `"${exportName}" (declared without a value)`);
    addValue(exportName, id.name, init as NodePath<t.Expression>, declarator.node);
    remember(declarator.node);
  };

  for (const statement of ctx.program.get('body')) {
    if (statement.isExportAllDeclaration()) {
      if (statement.node.exportKind === 'type') continue;
      throw diagnostic(
        ctx.file,
        statement.node,
        Codes.exportAll,
        `\`export *\` is not allowed in a ${quote(directive)} file: each export must be an async function defined in the file.`,
      );
    }
    if (statement.isExportDefaultDeclaration()) {
      const declaration = statement.get('declaration');
      if (declaration.isFunctionDeclaration()) addDeclaration('default', declaration);
      else if (declaration.isTSDeclareFunction() || declaration.isTSInterfaceDeclaration()) continue;
      else if (declaration.isClassDeclaration()) throw notAsync(declaration.node, 'the default export');
      else if (declaration.isIdentifier()) addLocalByName('default', declaration.node.name, declaration.node);
      else addValue('default', 'default', declaration as NodePath<t.Expression>, declaration.node);
      continue;
    }
    if (!statement.isExportNamedDeclaration()) continue;
    const node = statement.node;
    if (node.exportKind === 'type') continue;
    const declaration = statement.get('declaration');
    if (declaration.node) {
      if (declaration.isFunctionDeclaration()) {
        addDeclaration(declaration.node.id!.name, declaration);
        remember(declaration.node);
      } else if (declaration.isVariableDeclaration()) {
        if (declaration.node.declare) continue;
        for (const declarator of declaration.get('declarations')) {
          const id = declarator.node.id;
          addDeclarator(id.type === 'Identifier' ? id.name : '(destructured)', declarator);
        }
      } else if (declaration.isClassDeclaration()) {
        if (declaration.node.declare) continue;
        throw notAsync(declaration.node, `the class "${declaration.node.id?.name}"`);
      }
      // Types, interfaces, enums, `declare` forms: nothing at run time to register.
      continue;
    }
    if (node.source) {
      for (const specifier of node.specifiers) {
        if (specifier.type === 'ExportSpecifier' && specifier.exportKind === 'type') continue;
        throw diagnostic(
          ctx.file,
          specifier,
          Codes.invalidExport,
          `Re-exports from another module are not allowed in a ${quote(directive)} file: export the function from the module that defines it.`,
        );
      }
      continue;
    }
    for (const specifier of node.specifiers) {
      if (specifier.type !== 'ExportSpecifier' || specifier.exportKind === 'type') continue;
      addLocalByName(exportedName(specifier.exported), specifier.local.name, specifier);
    }
  }
  return targets;

  // `export { f as g }` / `export default f`: find what `f` is.
  function addLocalByName(exportName: string, local: string, at: t.Node): void {
    const binding = ctx.program.scope.getBinding(local);
    if (!binding) throw notAsync(at, `"${exportName}" (not defined in this file)`);
    const declPath = binding.path;
    if (declPath.isFunctionDeclaration()) {
      if (seen(declPath.node, exportName)) return;
      addDeclaration(exportName, declPath);
      remember(declPath.node);
    } else if (declPath.isVariableDeclarator()) {
      if (declPath.parentPath.isVariableDeclaration({ declare: true })) return;
      addDeclarator(exportName, declPath);
    } else if (
      declPath.isTSEnumDeclaration() ||
      declPath.isTSInterfaceDeclaration() ||
      declPath.isTSTypeAliasDeclaration() ||
      declPath.isTSModuleDeclaration() ||
      declPath.isTSDeclareFunction() ||
      (binding.kind === 'module' &&
        (declPath.parentPath?.node as t.ImportDeclaration | undefined)?.importKind === 'type')
    ) {
      return;
    } else if (binding.kind === 'module') {
      throw diagnostic(
        ctx.file,
        at,
        Codes.invalidExport,
        `Re-exporting the import "${local}" is not allowed in a ${quote(directive)} file: export the function from the module that defines it.`,
      );
    } else {
      throw notAsync(at, `"${exportName}"`);
    }
  }
}
