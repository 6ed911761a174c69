// Client-layer output: a file with a file-level directive becomes stubs only, one
// `createServerReference(id, callServer)` per export, with the same ids as the server layer.
// Nothing else of the module survives, so no server code or server import reaches the browser.
import type * as t from '@babel/types';
import { idFor, recordReference, runtimeHelper, runtimeImport, type CompileContext } from '../context.js';
import { Codes, diagnostic, quote } from '../diagnostics.js';
import { directiveText, ownDirectives, type ReferenceDirective, type ScanResult } from '../directives.js';
import { collectExportTargets } from '../exports.js';

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

const exportNameNode = (t: CompileContext['t'], name: string): t.Identifier | t.StringLiteral =>
  IDENTIFIER.test(name) ? t.identifier(name) : t.stringLiteral(name);

/** `fileInfo`: the file-level directive, if any (a `'use client'` file never gets here). */
export function compileClient(ctx: CompileContext, scan: ScanResult, fileInfo: ReferenceDirective | null): void {
  const { t } = ctx;
  if (!scan.fileDirective || !fileInfo) {
    // A file without a file-level directive compiled for the client is client code: an inline
    // directive there cannot run (its body would ship to the browser), so it is an error.
    const first = scan.functions[0];
    if (first) {
      throw diagnostic(
        ctx.file,
        first.directive,
        Codes.inlineDirectiveOnClientLayer,
        `Inline ${quote(directiveText(first.info))} functions cannot be compiled for the client layer. ` +
          `Move the function to a file that starts with ${quote(directiveText(first.info))} and import it.`,
      );
    }
    return;
  }

  const targets = collectExportTargets(ctx, fileInfo, ownDirectives(scan));
  const body: t.Statement[] = [];
  for (const target of targets) {
    const id = idFor(ctx, target.exportName);
    recordReference(ctx, {
      id,
      info: target.info,
      exportName: target.exportName,
      localName: target.localName,
      level: 'file',
      captures: [],
      node: target.path.node,
    });
    const stub = t.callExpression(runtimeHelper(ctx, 'createServerReference'), [
      t.stringLiteral(id),
      runtimeHelper(ctx, 'callServer'),
    ]);
    if (target.aliases.length > 0) {
      // `export { f as g, f }`: one stub, exported under every name.
      const local = ctx.names.take('$$reference');
      body.push(t.variableDeclaration('const', [t.variableDeclarator(t.identifier(local), stub)]));
      const names = [target.exportName, ...target.aliases];
      body.push(
        t.exportNamedDeclaration(
          null,
          names.map((name) => t.exportSpecifier(t.identifier(local), exportNameNode(t, name))),
        ),
      );
    } else if (target.exportName === 'default') {
      body.push(t.exportDefaultDeclaration(stub));
    } else if (IDENTIFIER.test(target.exportName)) {
      body.push(
        t.exportNamedDeclaration(
          t.variableDeclaration('const', [t.variableDeclarator(t.identifier(target.exportName), stub)]),
        ),
      );
    } else {
      const local = ctx.names.take('$$reference');
      body.push(t.variableDeclaration('const', [t.variableDeclarator(t.identifier(local), stub)]));
      body.push(
        t.exportNamedDeclaration(null, [t.exportSpecifier(t.identifier(local), t.stringLiteral(target.exportName))]),
      );
    }
  }
  const helpers = runtimeImport(ctx);
  const program = ctx.program.node;
  program.directives = program.directives.filter((d) => d !== scan.fileDirective!.node);
  ctx.program.get('body').forEach((statement) => statement.remove());
  const inserted = ctx.program.pushContainer('body', [...(helpers ? [helpers] : []), ...body]);
  // `export { $$reference as name }` must find `$$reference` in Babel's scope tracker (later
  // plugins such as preset-typescript look exports up there). The import stays unregistered on
  // purpose: preset-typescript elides imports whose bindings it finds unreferenced.
  for (const path of inserted) if (path.isVariableDeclaration()) ctx.program.scope.registerDeclaration(path);
}
