// Exports of a directive file whose value has no expression of its own to wrap: `export { x }` of
// an import, `export { a } from './m'`, names bound by `export const { a: b } = obj`. Each is taken
// out of its export statement and exported again, wrapped, right after it:
//   export { getData } from './data';
//   -> import { getData as $$import_getData } from './data';
//      const $$export_getData = cacheExport("<id>", "default", $$import_getData);
//      export { $$export_getData as getData };
import type { NodePath } from '@babel/core';
import type * as t from '@babel/types';
import type { CompileContext } from './context.js';
import type { ExportTarget } from './exports.js';

type BindingTarget = Extract<ExportTarget, { form: 'binding' }>;

interface Pending {
  target: BindingTarget;
  wrap: (value: t.Expression) => t.Expression;
  /** Told the name of the generated local that holds the export. */
  named: (local: string) => void;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export class ExportedBindings {
  private readonly byStatement = new Map<NodePath<t.Statement>, Pending[]>();

  constructor(private readonly ctx: CompileContext) {}

  add(target: BindingTarget, wrap: (value: t.Expression) => t.Expression, named: (local: string) => void): void {
    let list = this.byStatement.get(target.statement);
    if (!list) this.byStatement.set(target.statement, (list = []));
    list.push({ target, wrap, named });
  }

  /** Rewrites every export statement that holds such a binding. */
  emit(): void {
    for (const [statement, pending] of this.byStatement) this.rewrite(statement, pending);
  }

  private nameNode(name: string): t.Identifier | t.StringLiteral {
    return IDENTIFIER.test(name) ? this.ctx.t.identifier(name) : this.ctx.t.stringLiteral(name);
  }

  private generatedName(prefix: string, name: string): string {
    return this.ctx.names.take(`${prefix}${IDENTIFIER.test(name) ? name : 'value'}`);
  }

  private rewrite(statement: NodePath<t.Statement>, pending: Pending[]): void {
    const { t } = this.ctx;
    const node = statement.node as t.ExportNamedDeclaration;
    const before: t.Statement[] = [];
    const after: t.Statement[] = [];
    const moved = new Set<t.Node>(pending.map((p) => p.target.path.node));
    const movedNames = new Set(pending.map((p) => p.target.exportName));

    // Re-exports: one import of the names that move, under fresh local names.
    const imports: t.ImportSpecifier[] = [];
    const values = pending.map(({ target }) => {
      if (target.value.from === 'local') return t.identifier(target.value.name);
      const local = t.identifier(this.generatedName('$$import_', target.exportName));
      const imported = target.value.imported;
      // `import * as x` cannot share a declaration with named imports.
      if (imported === '*')
        before.push(t.importDeclaration([t.importNamespaceSpecifier(local)], t.cloneNode(node.source!)));
      else imports.push(t.importSpecifier(local, this.nameNode(imported)));
      return t.identifier(local.name);
    });
    if (imports.length > 0) before.unshift(t.importDeclaration(imports, t.cloneNode(node.source!)));

    pending.forEach(({ target, wrap, named }, i) => {
      const local = this.generatedName('$$export_', target.exportName);
      named(local);
      after.push(
        t.variableDeclaration('const', [t.variableDeclarator(t.identifier(local), wrap(values[i]!))]),
        t.exportNamedDeclaration(
          null,
          [target.exportName, ...target.aliases].map((name) =>
            t.exportSpecifier(t.identifier(local), this.nameNode(name)),
          ),
        ),
      );
    });

    let kept: t.Statement | null;
    if (node.declaration) {
      // `export const { a: b, c } = obj` -> `const { a: b, c } = obj; export { c }` (+ the moved names).
      kept = node.declaration;
      const others = Object.keys(t.getBindingIdentifiers(node.declaration)).filter((n) => !movedNames.has(n));
      if (others.length > 0) {
        after.unshift(
          t.exportNamedDeclaration(
            null,
            others.map((n) => t.exportSpecifier(t.identifier(n), t.identifier(n))),
          ),
        );
      }
    } else {
      node.specifiers = node.specifiers.filter((s) => !moved.has(s));
      kept = node.specifiers.length > 0 ? node : null;
    }
    const replacement = [...before, ...(kept ? [kept] : []), ...after];
    const paths = statement.replaceWithMultiple(replacement);
    for (const path of paths) {
      if (path.isVariableDeclaration()) {
        this.ctx.program.scope.registerDeclaration(path);
        this.referenceValue(path);
      }
    }
  }

  /** The read of a local in `const $$export_x = wrap(x)` is a reference of `x` (import elision). */
  private referenceValue(declaration: NodePath<t.VariableDeclaration>): void {
    const init = declaration.get('declarations.0.init') as NodePath;
    if (!init.isCallExpression()) return;
    const args = init.get('arguments');
    const value = args[args.length - 1];
    if (!value?.isIdentifier()) return;
    value.scope.getBinding(value.node.name)?.reference(value);
  }
}
