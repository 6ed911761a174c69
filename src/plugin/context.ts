// The state one compilation of one file shares between the passes: options, generated names,
// runtime imports, the module-level statements to emit, and the metadata entries.
import type { BabelFile, NodePath } from '@babel/core';
import type { BabelInternals } from './babel-internals.js';
import type { ReferenceDirective } from './directives.js';
import type { ExportTarget } from './exports.js';
import type * as BabelTypes from '@babel/types';
import { referenceId } from './ids.js';
import { NameAllocator } from './names.js';
import type { PluginOptions } from './options.js';

export type Types = typeof BabelTypes;

export interface ServerReferenceMeta {
  id: string;
  kind: 'cache' | 'server';
  cacheKind?: string;
  exportName: string;
  localName: string;
  level: 'file' | 'inline';
  captures: string[];
  loc: { line: number; column: number };
}

export interface CompileContext {
  t: Types;
  file: BabelFile;
  program: NodePath<BabelTypes.Program>;
  options: PluginOptions;
  /** The private caches of the Babel instance compiling this file, or null for the public API only. */
  internals: BabelInternals | null;
  relativePath: string;
  names: NameAllocator;
  runtimeImports: Map<string, string>;
  /** Module-level statements emitted after the imports, with a sort key (source order). */
  lifted: { order: number; statement: BabelTypes.Statement }[];
  references: ServerReferenceMeta[];
  /** Directive function nodes of this file (to recognise them when captured). */
  directiveFunctions: Set<BabelTypes.Node>;
  /** Nodes that enclose a directive function (its place gets a bound reference to it). */
  enclosingDirectiveFunctions: Set<BabelTypes.Node>;
  /** The file-level directive's export targets, collected once (two passes need them). */
  exportTargets: ExportTarget[] | null;
  /** Code hashes to write once the file is compiled: each function and its `code: ""` literal (code-hash.ts). */
  pendingCodeHashes: { fn: BabelTypes.Function; literal: BabelTypes.StringLiteral }[];
}

export function createContext(
  t: Types,
  file: BabelFile,
  program: NodePath<BabelTypes.Program>,
  options: PluginOptions,
  internals: BabelInternals | null,
  relativePath: string,
): CompileContext {
  return {
    t,
    file,
    program,
    options,
    internals,
    relativePath,
    names: new NameAllocator(file.code),
    runtimeImports: new Map(),
    lifted: [],
    references: [],
    directiveFunctions: new Set(),
    enclosingDirectiveFunctions: new Set(),
    exportTargets: null,
    pendingCodeHashes: [],
  };
}

/** Runtime names in the order the import lists them (stable output whatever the pass order). */
const RUNTIME_ORDER = [
  'cacheFunction',
  'cacheExport',
  'serverReference',
  'serverExport',
  'encryptBound',
  'encryptOnSend',
  'decryptBound',
  'createServerReference',
  'callServer',
];

/**
 * `import { cacheFunction, ... } from '<runtime>'` with every runtime name this file uses, in a
 * stable order (whatever the pass order); null when it uses none.
 */
export function runtimeImport(ctx: CompileContext): BabelTypes.ImportDeclaration | null {
  if (ctx.runtimeImports.size === 0) return null;
  const { t } = ctx;
  const specifiers = [...ctx.runtimeImports]
    .sort((a, b) => RUNTIME_ORDER.indexOf(a[0]) - RUNTIME_ORDER.indexOf(b[0]))
    .map(([imported, local]) => t.importSpecifier(t.identifier(local), t.identifier(imported)));
  return t.importDeclaration(specifiers, t.stringLiteral(ctx.options.runtime));
}

/** Local name of a runtime export, imported once per file. */
export function runtimeHelper(ctx: CompileContext, name: string): BabelTypes.Identifier {
  let local = ctx.runtimeImports.get(name);
  if (!local) {
    local = ctx.names.take(name);
    ctx.runtimeImports.set(name, local);
  }
  return ctx.t.identifier(local);
}

/** A name that is free in the original file; reusable across functions (parameters, locals). */
export function localName(ctx: CompileContext, base: string): string {
  return ctx.names.local(base);
}

export function idFor(ctx: CompileContext, exportName: string): string {
  return referenceId(ctx.options.hashSalt, ctx.relativePath, exportName);
}

/** The metadata record (`metadata.serverReferences`) of one reference the file defines. */
export function recordReference(
  ctx: CompileContext,
  reference: {
    id: string;
    info: ReferenceDirective;
    exportName: string;
    localName: string;
    level: 'file' | 'inline';
    captures: string[];
    node: BabelTypes.Node;
  },
): void {
  const { id, info, exportName, localName, level, captures, node } = reference;
  ctx.references.push({
    id,
    kind: info.type,
    ...(info.type === 'cache' ? { cacheKind: info.cacheKind } : {}),
    exportName,
    localName,
    level,
    captures,
    loc: locOf(node),
  });
}

export function locOf(node: BabelTypes.Node): { line: number; column: number } {
  return { line: node.loc?.start.line ?? 0, column: node.loc?.start.column ?? 0 };
}

/**
 * Give a generated node the source location of the node it stands for (source maps). Only
 * `loc`: offsets (`start`/`end`) stay unset so position-based placement (hoist.ts) can tell
 * generated statements from original ones.
 */
export function withLoc<T extends BabelTypes.Node>(node: T, from: BabelTypes.Node): T {
  node.loc = from.loc;
  return node;
}
