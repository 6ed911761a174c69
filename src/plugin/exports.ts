// File-level directives: every export form normalised into one list of targets, each saying
// which export name it has and which node holds its value (docs/compiler.md, "What passes
// through"). Exports that are statically not functions (literals, objects, arrays, classes) and
// TypeScript-only exports (types, interfaces, enums, `declare`) are no targets: they pass through
// untouched and get no client stub. Exports known only at run time become targets that the
// runtime wraps when they turn out to be functions.
import type { NodePath } from '@babel/core';
import type * as t from '@babel/types';
import type { CompileContext } from './context.js';
import { Codes, diagnostic, quote } from './diagnostics.js';
import { directiveText, type ReferenceDirective } from './directives.js';

export type ExportTarget = ExportForm & {
  /** Other names the same local is exported under (`export { f as g, f }`): one reference, several names. */
  aliases: string[];
  /** The directive it compiles with: its own when the function carries one, else the file's. */
  info: ReferenceDirective;
};

/** Where the value of a `binding` target comes from. */
export type BindingSource =
  /** A binding of this module (an import, a destructured or later-assigned variable). */
  | { from: 'local'; name: string }
  /** `export { imported as name } from 'source'` (`imported` is `*` for `export * as name`). */
  | { from: 'module'; source: t.StringLiteral; imported: string };

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
    }
  /**
   * A value known only at run time that has no expression of its own to wrap: `export { x }` of an
   * import, a re-export from another module, a name bound by a destructuring export. The export
   * statement `statement` loses it, and a wrapped copy is exported under the name after it.
   */
  | {
      form: 'binding';
      exportName: string;
      localName: string;
      path: NodePath;
      statement: NodePath<t.Statement>;
      value: BindingSource;
    };

/** The expression under TypeScript's `as` / `satisfies` / `!` / `<T>` and parentheses. */
export function unwrap(node: t.Node): t.Node {
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

type ValueKind = 'asyncFunction' | 'otherFunction' | 'notAFunction' | 'runtime';

/** What an exported value is, as far as the source tells. */
function valueKind(node: t.Node): ValueKind {
  const n = unwrap(node);
  switch (n.type) {
    case 'ArrowFunctionExpression':
    case 'FunctionExpression':
    case 'FunctionDeclaration':
      return n.async && !n.generator ? 'asyncFunction' : 'otherFunction';
    // A class is callable only with `new`: never a cache function or an action, so it passes.
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
    case 'UnaryExpression': // operators that always produce a primitive: `-1`, `!flag`, `a + b`
    case 'BinaryExpression':
    case 'UpdateExpression':
      return 'notAFunction';
    default:
      return 'runtime';
  }
}

const TYPESCRIPT_DECLARATIONS = new Set([
  'TSEnumDeclaration',
  'TSModuleDeclaration',
  'TSInterfaceDeclaration',
  'TSTypeAliasDeclaration',
  'TSDeclareFunction',
]);

/** Whether a module-level TypeScript declaration (an enum, a namespace, a type) declares `name`. */
function declaredByTypeScript(program: t.Program, name: string): boolean {
  return program.body.some((statement) => {
    const node =
      statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration'
        ? statement.declaration
        : statement;
    if (!node || !TYPESCRIPT_DECLARATIONS.has(node.type)) return false;
    const id = (node as { id?: t.Node | null }).id;
    return id?.type === 'Identifier' && id.name === name;
  });
}

function exportedName(node: t.Identifier | t.StringLiteral): string {
  return node.type === 'Identifier' ? node.name : node.value;
}

/**
 * The export targets of a file with the file-level directive `fileInfo`. `ownDirectives` maps the
 * directive functions of the file to their own directive, which wins over the file's.
 */
export function collectExportTargets(
  ctx: CompileContext,
  fileInfo: ReferenceDirective,
  ownDirectives: ReadonlyMap<t.Node, ReferenceDirective> = new Map(),
): ExportTarget[] {
  const directive = directiveText(fileInfo);
  // A page or layout marked 'use cache' exports `metadata` and segment config next to its
  // component; a 'use server' file exports actions only (as in Next.js).
  const passesThrough = fileInfo.type === 'cache';
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
  const push = (form: ExportForm, valueNode: t.Node): void => {
    targets.push({ ...form, aliases: [], info: ownDirectives.get(unwrap(valueNode)) ?? fileInfo });
  };
  const notAsync = (node: t.Node, what: string): Error =>
    diagnostic(
      ctx.file,
      node,
      Codes.invalidExport,
      `Only async functions can be exported from a ${quote(directive)} file, but ${what} is not an async function.`,
    );

  // A class is callable only with `new`, never a cached function or an action.
  const passClass = (node: t.Node, what: string): void => {
    if (!passesThrough) throw notAsync(node, what);
  };
  const addValue = (exportName: string, localName: string, path: NodePath<t.Expression>, at: t.Node): void => {
    const kind = valueKind(path.node);
    if (kind === 'otherFunction' || (kind === 'notAFunction' && !passesThrough)) throw notAsync(at, `"${exportName}"`);
    if (kind === 'notAFunction') return; // `metadata`, `revalidate`, segment config
    push({ form: 'expression', exportName, localName, path, staticFunction: kind === 'asyncFunction' }, path.node);
  };
  const addDeclaration = (exportName: string, path: NodePath<t.FunctionDeclaration>): void => {
    if (!path.node.async || path.node.generator) throw notAsync(path.node, `"${exportName}"`);
    if (path.node.id) push({ form: 'declaration', exportName, localName: path.node.id.name, path }, path.node);
    else push({ form: 'anonymousDeclaration', exportName: 'default', localName: 'default', path }, path.node);
  };
  const addBinding = (exportName: string, name: string, at: NodePath, statement: NodePath<t.Statement>): void => {
    push(
      { form: 'binding', exportName, localName: name, path: at, statement, value: { from: 'local', name } },
      at.node,
    );
  };
  const addDeclarator = (
    exportName: string,
    declarator: NodePath<t.VariableDeclarator>,
    atRunTime: () => void,
  ): void => {
    if (seen(declarator.node, exportName)) return;
    const id = declarator.node.id;
    const init = declarator.get('init');
    // Destructured or assigned later: only known at run time.
    if (id.type !== 'Identifier' || !init.node) return atRunTime();
    const before = targets.length;
    addValue(exportName, id.name, init as NodePath<t.Expression>, declarator.node);
    if (targets.length > before) remember(declarator.node);
  };

  for (const statement of ctx.program.get('body')) {
    if (statement.isExportAllDeclaration()) {
      if (statement.node.exportKind === 'type') continue;
      throw diagnostic(
        ctx.file,
        statement.node,
        Codes.exportAll,
        `\`export *\` is not allowed in a ${quote(directive)} file: its names are unknown at compile time. ` +
          `Export each name: \`export { a, b } from '${statement.node.source.value}'\`.`,
      );
    }
    if (statement.isExportDefaultDeclaration()) {
      const declaration = statement.get('declaration');
      if (declaration.isFunctionDeclaration()) addDeclaration('default', declaration);
      else if (declaration.isTSDeclareFunction() || declaration.isTSInterfaceDeclaration()) continue;
      else if (declaration.isClassDeclaration()) passClass(declaration.node, 'the default export');
      else if (declaration.isIdentifier()) {
        addLocalByName('default', declaration.node.name, declaration, () =>
          addValue('default', 'default', declaration as NodePath<t.Expression>, declaration.node),
        );
      } else addValue('default', 'default', declaration as NodePath<t.Expression>, declaration.node);
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
          if (id.type === 'Identifier') {
            addDeclarator(id.name, declarator, () => addBinding(id.name, id.name, declarator, statement));
            continue;
          }
          // `export const { a: b, ...rest } = obj`: every bound name is an export.
          for (const name of Object.keys(ctx.t.getBindingIdentifiers(id))) {
            addBinding(name, name, declarator, statement);
          }
        }
      } else if (declaration.isClassDeclaration() && !declaration.node.declare) {
        passClass(declaration.node, `the class "${declaration.node.id?.name}"`);
      }
      // Types, interfaces, enums and `declare` forms are TypeScript's: nothing to register.
      continue;
    }
    if (node.source) {
      for (const [i, specifier] of node.specifiers.entries()) {
        if (specifier.type === 'ExportSpecifier' && specifier.exportKind === 'type') continue;
        const at = statement.get(`specifiers.${i}`) as NodePath;
        const imported =
          specifier.type === 'ExportSpecifier'
            ? exportedName(specifier.local)
            : specifier.type === 'ExportNamespaceSpecifier'
              ? '*'
              : 'default';
        push(
          {
            form: 'binding',
            exportName: exportedName(specifier.exported),
            localName: imported,
            path: at,
            statement,
            value: { from: 'module', source: node.source, imported },
          },
          specifier,
        );
      }
      continue;
    }
    for (const [i, specifier] of node.specifiers.entries()) {
      if (specifier.type !== 'ExportSpecifier' || specifier.exportKind === 'type') continue;
      const at = statement.get(`specifiers.${i}`) as NodePath;
      const exportName = exportedName(specifier.exported);
      addLocalByName(exportName, specifier.local.name, at, () =>
        addBinding(exportName, specifier.local.name, at, statement),
      );
    }
  }
  return targets;

  // `export { f as g }` / `export default f`: find what `f` is. `atRunTime` handles a binding
  // whose value only the running module knows (an import, a parameterless `let`).
  function addLocalByName(exportName: string, local: string, at: NodePath, atRunTime: () => void): void {
    const binding = ctx.program.scope.getBinding(local);
    if (!binding) {
      if (declaredByTypeScript(ctx.program.node, local)) return; // Babel's scope does not list enums
      throw notAsync(at.node, `"${exportName}" (not defined in this file)`);
    }
    const declPath = binding.path;
    if (declPath.isClassDeclaration()) return passClass(declPath.node, `the class "${local}"`);
    if (declPath.isFunctionDeclaration()) {
      if (seen(declPath.node, exportName)) return;
      addDeclaration(exportName, declPath);
      remember(declPath.node);
    } else if (declPath.isVariableDeclarator()) {
      if (declPath.parentPath.isVariableDeclaration({ declare: true })) return;
      addDeclarator(exportName, declPath, atRunTime);
    } else if (
      declPath.isTSEnumDeclaration() ||
      declPath.isTSInterfaceDeclaration() ||
      declPath.isTSTypeAliasDeclaration() ||
      declPath.isTSModuleDeclaration() ||
      declPath.isTSDeclareFunction() ||
      (binding.kind === 'module' &&
        ((declPath.parentPath?.node as t.ImportDeclaration | undefined)?.importKind === 'type' ||
          (declPath.node as t.ImportSpecifier).importKind === 'type'))
    ) {
      return;
    } else {
      atRunTime();
    }
  }
}
