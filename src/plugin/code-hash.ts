// Keys that follow the code (docs/runtime.md#keys): every `cacheFunction` call carries a hash of
// the code its entries depend on within the file, `cacheFunction(id, kind, fn, { code: "<hash>" })`,
// and the runtime puts it in the key. An edited function (or an edited helper of its file) never
// reads entries of its old version; an unchanged one keeps them across restarts and machines.
//
// What is hashed: the function's own code as the plugin emits it, and, transitively, every
// module-level statement of the file that declares a name it mentions (helpers, constants, other
// cached functions, the lifted inline functions it binds). Imports are not followed: what another
// module does is covered by `buildId`. Names are matched by text, not by scope: a local that
// happens to share a module-level name only adds that statement (more invalidation, never less).
//
// Normalised: what is hashed is the syntax tree itself, each node's type and the fields
// @babel/types defines for it (names, values, operators, children), never positions, comments,
// raw source text or file names; so whitespace, comments, quote styles, the file's folder, the
// machine and source maps do not change the hash. Hashes are computed once the whole file is
// compiled (a function may use a helper declared below it), all before any is written, so none
// depends on the order.
import { createHash } from 'node:crypto';
import type * as t from '@babel/types';
import type { CompileContext } from './context.js';

/** The `code` property of a `cacheFunction` call's options, filled in by `writeCodeHashes`. */
export function codeHashProperty(ctx: CompileContext, fn: t.Function): t.ObjectProperty {
  const { t } = ctx;
  const literal = t.stringLiteral('');
  ctx.pendingCodeHashes.push({ fn, literal });
  return t.objectProperty(t.identifier('code'), literal);
}

/** Fill in every code hash of the file (after every statement is in its final place). */
export function writeCodeHashes(ctx: CompileContext): void {
  const pending = ctx.pendingCodeHashes;
  if (pending.length === 0) return;
  ctx.pendingCodeHashes = [];
  const module = new ModuleCode(ctx.t, ctx.program.node);
  const hashes = pending.map(({ fn }) => module.hashOf(fn));
  pending.forEach(({ literal }, i) => (literal.value = hashes[i]!));
}

class ModuleCode {
  /** Module-level names -> the statements declaring them (imports excluded). */
  private readonly declaring = new Map<string, number[]>();
  /** Canonical text of each node hashed (canonical() below), once per file. */
  private readonly codeOf = new Map<t.Node, string>();
  private readonly digests = new Map<number, string>();
  private readonly namesOf = new Map<t.Node, Set<string>>();

  constructor(
    private readonly t: typeof import('@babel/types'),
    private readonly program: t.Program,
  ) {
    program.body.forEach((statement, index) => {
      for (const name of declaredNames(t, statement)) {
        const list = this.declaring.get(name);
        if (list) list.push(index);
        else this.declaring.set(name, [index]);
      }
    });
  }

  hashOf(fn: t.Function): string {
    const h = createHash('sha256').update(this.code(fn));
    // The statements it depends on, found breadth-first, hashed in file order.
    const seen = new Set<number>();
    const queue = [...this.names(fn)];
    while (queue.length > 0) {
      for (const index of this.declaring.get(queue.pop()!) ?? []) {
        if (seen.has(index)) continue;
        seen.add(index);
        queue.push(...this.names(this.program.body[index]!));
      }
    }
    for (const index of [...seen].sort((a, b) => a - b)) h.update('\0').update(this.digest(index));
    return h.digest('hex');
  }

  /** The SHA-256 of a statement's code, once per file however many functions use it. */
  private digest(index: number): string {
    let digest = this.digests.get(index);
    if (digest === undefined) {
      digest = createHash('sha256').update(this.code(this.program.body[index]!)).digest('hex');
      this.digests.set(index, digest);
    }
    return digest;
  }

  private code(node: t.Node): string {
    let code = this.codeOf.get(node);
    if (code === undefined) {
      const parts: string[] = [];
      canonical(this.t, node, parts);
      code = parts.join('');
      this.codeOf.set(node, code);
    }
    return code;
  }

  /** Every identifier name in `node` (references and bindings alike: an over-approximation). */
  private names(node: t.Node): Set<string> {
    let names = this.namesOf.get(node);
    if (!names) {
      const found = new Set<string>();
      this.t.traverseFast(node, (n) => {
        if (n.type === 'Identifier' || n.type === 'JSXIdentifier') found.add(n.name);
      });
      this.namesOf.set(node, (names = found));
    }
    return names;
  }
}

/** The module-level names a statement declares (`export` unwrapped; imports declare none here). */
function declaredNames(t: typeof import('@babel/types'), statement: t.Statement): string[] {
  const declaration =
    statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration'
      ? statement.declaration
      : statement;
  if (!declaration || declaration.type === 'ImportDeclaration') return [];
  if ((declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') && declaration.id) {
    return [declaration.id.name];
  }
  if (declaration.type === 'VariableDeclaration') {
    return declaration.declarations.flatMap((d) => Object.keys(t.getBindingIdentifiers(d.id)));
  }
  if (declaration.type === 'TSEnumDeclaration' || declaration.type === 'TSModuleDeclaration') {
    return declaration.id.type === 'Identifier' ? [declaration.id.name] : [];
  }
  return [];
}

/**
 * A canonical text of `node`: its type, then each field @babel/types defines for that type, in
 * definition order. `null`, `undefined` and `false` are one token (a builder's `optional: null`
 * and the parser's missing `optional` mean the same); strings are JSON-quoted, so no two trees
 * share a text.
 */
function canonical(t: typeof import('@babel/types'), value: unknown, out: string[]): void {
  if (value === null || value === undefined || value === false) {
    out.push('~');
  } else if (Array.isArray(value)) {
    out.push('[');
    for (const item of value) canonical(t, item, out);
    out.push(']');
  } else if (typeof value === 'object') {
    const node = value as Record<string, unknown>;
    const type = node.type;
    const fields = typeof type === 'string' ? t.NODE_FIELDS[type] : undefined;
    // A plain object inside a node (TemplateElement's `{ raw, cooked }`): its own keys, sorted.
    const keys = fields ? Object.keys(fields) : Object.keys(node).sort();
    out.push(fields ? `(${type as string}` : '{');
    for (const key of keys) {
      out.push(` ${key}=`);
      canonical(t, node[key], out);
    }
    out.push(fields ? ')' : '}');
  } else {
    out.push(typeof value === 'string' ? JSON.stringify(value) : String(value));
  }
}
