// Server build only: a module that starts with 'use client' is replaced by client references.
// Each export becomes `registerClientReference(stub, "<file URL>", "<export>")`; React serialises
// such a reference as a pointer into react-client-manifest.json (keyed by the same file URL),
// and the browser loads the real module from its chunk.
'use strict';
const { pathToFileURL } = require('node:url');
const { parse } = require('@babel/parser');

function hasUseClient(program) {
  return program.directives.some((d) => d.value.value === 'use client');
}

function exportNames(program) {
  const names = [];
  for (const node of program.body) {
    if (node.type === 'ExportDefaultDeclaration') names.push('default');
    else if (node.type === 'ExportNamedDeclaration') {
      if (node.exportKind === 'type') continue;
      const decl = node.declaration;
      if (decl?.id) names.push(decl.id.name);
      else if (decl?.declarations) {
        for (const d of decl.declarations) {
          if (d.id.type !== 'Identifier') throw new Error('client-reference-loader: use plain `export const name = …`');
          names.push(d.id.name);
        }
      }
      for (const s of node.specifiers ?? []) {
        names.push(s.exported.type === 'Identifier' ? s.exported.name : s.exported.value);
      }
    } else if (node.type === 'ExportAllDeclaration') {
      throw new Error("client-reference-loader: `export *` is not supported in a 'use client' module");
    }
  }
  return names;
}

/** @this {import('webpack').LoaderContext<{}>} */
module.exports = function clientReferenceLoader(source) {
  if (!source.includes('use client')) return source;
  const program = parse(source, { sourceType: 'module', plugins: ['jsx', 'typescript'] }).program;
  if (!hasUseClient(program)) return source;
  const href = pathToFileURL(this.resourcePath).href;
  const lines = [`import { registerClientReference } from 'react-server-dom-webpack/server';`];
  for (const name of exportNames(program)) {
    const stub = `function () { throw new Error(${JSON.stringify(
      `${name} is a client component export of ${this.resourcePath}; it cannot be called on the server.`,
    )}); }`;
    const ref = `registerClientReference(${stub}, ${JSON.stringify(href)}, ${JSON.stringify(name)})`;
    lines.push(name === 'default' ? `export default ${ref};` : `export const ${name} = ${ref};`);
  }
  return lines.join('\n') + '\n';
};
