// Finding directives. A cheap text check decides whether a file needs looking at; then one
// iterative walk over the raw AST (no recursion, so 10,000-level nesting is fine, and no NodePath
// allocation, so it is cheap) finds every prologue directive, reports typos, misplaced and
// parenthesised directives, and records the functions that carry a directive.
import type { BabelFile } from '@babel/core';
import type * as t from '@babel/types';
import { Codes, diagnostic, quote } from './diagnostics.js';
import { allowedCacheKinds, type PluginOptions } from './options.js';
import { FUNCTION_TYPES, keyPath, nodeChain, pushChildrenReversed, type WalkStep } from './walk.js';

export type DirectiveInfo = { type: 'cache'; cacheKind: string } | { type: 'server' } | { type: 'client' };

export type ReferenceDirective = Exclude<DirectiveInfo, { type: 'client' }>;

/**
 * Where a directive, a near-miss of one or a `next/cache` import may start. A file without a match
 * is left alone without a traversal. The near-miss part is loose on purpose: a false positive
 * only costs a little more of the scan below.
 */
const MAYBE_RELEVANT =
  /use cache|use server|use client|next\/cache|['"`]\s*(?:u[a-z]{0,3}|[a-z]?se|[a-z]?us|sue|ues)[\s_:-]*(?:ca?ch|cahc|cahe|cash|ache|acce|se?rv|sevr|sevre|seve|erve|srever|actio|cli|lien)/gi;

/**
 * The offsets of MAYBE_RELEVANT's matches, in ascending order. The scan below only descends into
 * nodes that span one of them, so a file with 40 directives in 2,000 lines costs 40 root-to-leaf
 * descents instead of a walk over every node.
 */
export function directiveCandidates(code: string): number[] {
  const offsets: number[] = [];
  for (const match of code.matchAll(MAYBE_RELEVANT)) offsets.push(match.index);
  return offsets;
}

/** Whether any of the sorted `offsets` lies in [start, end). */
function spansAny(offsets: readonly number[], start: number, end: number): boolean {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < offsets.length && offsets[lo]! < end;
}

const CACHE_WITH_KIND = /^use cache: ([A-Za-z0-9_-]+)$/;

/** The recognised directive a string spells exactly, or null. */
export function classifyDirective(value: string): DirectiveInfo | null {
  if (value === 'use cache') return { type: 'cache', cacheKind: 'default' };
  if (value === 'use server') return { type: 'server' };
  if (value === 'use client') return { type: 'client' };
  const kind = CACHE_WITH_KIND.exec(value);
  if (kind) return { type: 'cache', cacheKind: kind[1]! };
  return null;
}

/** Optimal-string-alignment distance, capped: returns max+1 as soon as it is exceeded. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push(new Array<number>(b.length + 1).fill(0));
    rows[i]![0] = i;
  }
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
  }
  return rows[a.length]![b.length]!;
}

const KNOWN = ['use cache', 'use server', 'use client'];

/** For a string that is not a directive but looks like a mistyped one: the intended directive. */
export function suggestDirective(value: string): string | null {
  if (classifyDirective(value)) return null;
  const normal = value.trim().replace(/\s+/g, ' ').toLowerCase();
  if (KNOWN.includes(normal)) return normal;
  const withKind = /^(.*?)\s*:\s*(\S+)$/.exec(normal);
  if (withKind && (withKind[1] === 'use cache' || editDistance(withKind[1]!, 'use cache', 1) <= 1)) {
    return `use cache: ${withKind[2]}`;
  }
  if (/^use[\s_-]*actions?$/.test(normal)) return 'use server';
  for (const known of KNOWN) if (editDistance(normal, known, 1) <= 1) return known;
  return null;
}

type AnyFunction =
  | t.FunctionDeclaration
  | t.FunctionExpression
  | t.ArrowFunctionExpression
  | t.ObjectMethod
  | t.ClassMethod
  | t.ClassPrivateMethod;

export interface FoundFunction {
  node: AnyFunction;
  directive: t.Directive;
  info: ReferenceDirective;
  /** Dotted key path from the Program node, for `programPath.get()`. */
  keyPath: string;
  /** The nodes from the Program's child down to the function (for Babel's cached paths). */
  chain: t.Node[];
  /** Source position of the function's start (sorts lifted output in source order). */
  order: number;
  /** No enclosing function: the function itself sits at module level. */
  topLevel: boolean;
}

export interface ScanResult {
  fileDirective: { node: t.Directive; info: DirectiveInfo } | null;
  functions: FoundFunction[];
}

// Nodes that hold no function body: never pushed on the walk's stack.
const LEAVES = new Set([
  'Identifier',
  'JSXIdentifier',
  'StringLiteral',
  'NumericLiteral',
  'BooleanLiteral',
  'NullLiteral',
  'TemplateElement',
  'JSXText',
  'ThisExpression',
  'DirectiveLiteral',
  'Directive',
  'TSTypeAnnotation',
]);

interface Entry extends WalkStep {
  parent: Entry | null;
  functionDepth: number;
}

/** The reference directive of a prologue (cache or server), after checking every entry of it. */
function readPrologue(
  file: BabelFile,
  directives: readonly t.Directive[],
  kinds: string[],
  forFunction: boolean,
): { node: t.Directive; info: DirectiveInfo } | null {
  let found: { node: t.Directive; info: DirectiveInfo } | null = null;
  for (const directive of directives) {
    const value = directive.value.value;
    const info = classifyDirective(value);
    if (!info) {
      const suggestion = suggestDirective(value);
      if (suggestion) {
        throw diagnostic(
          file,
          directive,
          Codes.misspelledDirective,
          `Unknown directive ${quote(value)}. Did you mean ${quote(suggestion)}?`,
        );
      }
      continue;
    }
    if (info.type === 'client' && forFunction) continue; // meaningless in a function; not ours to judge
    if (info.type === 'cache' && !kinds.includes(info.cacheKind)) {
      throw diagnostic(
        file,
        directive,
        Codes.unknownCacheKind,
        `Unknown cache kind "${info.cacheKind}" in ${quote(value)}. Allowed kinds: ${kinds.join(', ')}. ` +
          'Add custom kinds with the "cacheKinds" plugin option.',
      );
    }
    if (found && found.info.type !== info.type) {
      const both = `${quote(directiveText(found.info))} and ${quote(directiveText(info))}`;
      throw forFunction
        ? diagnostic(file, directive, Codes.conflictingFunctionDirectives, `A function cannot carry both ${both}.`)
        : info.type === 'client' || found.info.type === 'client'
          ? diagnostic(
              file,
              directive,
              Codes.directiveInClientFile,
              `A 'use client' file cannot also be a ${quote(directiveText(info.type === 'client' ? found.info : info))} file.`,
            )
          : diagnostic(file, directive, Codes.conflictingFileDirectives, `A file cannot carry both ${both}.`);
    }
    found ??= { node: directive, info };
  }
  return found;
}

export function directiveText(info: DirectiveInfo): string {
  if (info.type === 'cache') return info.cacheKind === 'default' ? 'use cache' : `use cache: ${info.cacheKind}`;
  return `use ${info.type}`;
}

/**
 * One iterative walk over the file, into the nodes that span a `candidates` offset (offsets into
 * the parsed source text; null walks every node). Throws the first directive diagnostic it meets.
 */
export function scanProgram(
  program: t.Program,
  file: BabelFile,
  options: PluginOptions,
  visitorKeys: Record<string, readonly string[] | undefined>,
  candidates: readonly number[] | null = null,
): ScanResult {
  const kinds = allowedCacheKinds(options);
  // Offsets are only trusted when the AST was parsed from this very text (parserOpts.startIndex
  // shifts them all; an AST handed in with other text would not match at all).
  const shift = program.start ?? 0;
  const offsets =
    candidates && program.end != null && program.end - shift === file.code.length
      ? candidates.map((o) => o + shift)
      : null;
  const relevant = (node: t.Node): boolean =>
    offsets === null || node.start == null || node.end == null || spansAny(offsets, node.start, node.end);
  const fileDirective = readPrologue(file, program.directives, kinds, false);
  const functions: FoundFunction[] = [];
  const stack: Entry[] = [{ node: program, parent: null, key: '', index: -1, functionDepth: 0 }];
  let order = 0;

  while (stack.length > 0) {
    const entry = stack.pop()!;
    const node = entry.node;
    const type = node.type;
    let functionDepth = entry.functionDepth;

    if (type === 'ExpressionStatement' && isBodyStatement(entry)) {
      checkStrayDirective(file, node as t.ExpressionStatement, entry);
    }
    if (FUNCTION_TYPES.has(type)) {
      const fn = node as AnyFunction;
      order = fn.start ?? order + 1;
      if (fn.body.type === 'BlockStatement' && fn.body.directives.length > 0) {
        const found = readPrologue(file, fn.body.directives, kinds, true);
        if (found && found.info.type !== 'client') {
          functions.push({
            node: fn,
            directive: found.node,
            info: found.info,
            keyPath: keyPath(entry),
            chain: nodeChain(entry),
            order,
            topLevel: functionDepth === 0,
          });
        }
      }
      functionDepth++;
    }

    // Children in reverse so they are visited in source order.
    pushChildrenReversed(node, visitorKeys, (child, key, index) => {
      if (!LEAVES.has(child.type) && relevant(child))
        stack.push({ node: child, parent: entry, key, index, functionDepth });
    });
  }
  return { fileDirective, functions };
}

/**
 * A statement directly in the module body or a function body: where a directive could have been
 * meant. Strings in nested blocks (`if`, loops, `switch`, `try`, labels) are ordinary expressions.
 */
function isBodyStatement(entry: Entry): boolean {
  const parent = entry.parent;
  if (!parent) return false;
  if (parent.node.type === 'Program') return true;
  return parent.node.type === 'BlockStatement' && parent.parent !== null && FUNCTION_TYPES.has(parent.parent.node.type);
}

/**
 * A directive-like string (exact or misspelled) in a body but not in its prologue: `('use cache')`
 * at the top, or `'use cache'` after other statements. Both silently do nothing; here they are
 * errors. (A string in a prologue is a directive, checked by readPrologue.)
 */
function checkStrayDirective(file: BabelFile, statement: t.ExpressionStatement, step: Entry): void {
  const expression = statement.expression;
  if (expression.type !== 'StringLiteral') return;
  const info = classifyDirective(expression.value);
  const meant = info ? expression.value : suggestDirective(expression.value);
  if (meant === null || (info ?? classifyDirective(meant))?.type === 'client') return;
  const subject = info
    ? `The directive ${quote(meant)}`
    : `${quote(expression.value)} looks like the directive ${quote(meant)}, which`;
  const where = step.parent!.node.type === 'Program' ? 'the file' : 'the function body';
  const parenthesised = expression.extra?.parenthesized === true;
  if (parenthesised && step.index === 0) {
    throw diagnostic(
      file,
      statement,
      Codes.parenthesisedDirective,
      `${subject} must not be wrapped in parentheses; write it as a plain string statement at the top of ${where}: ${quote(meant)};`,
    );
  }
  throw diagnostic(
    file,
    statement,
    Codes.misplacedDirective,
    `${subject} must be at the top of ${where}, before any other statement (only 'use strict' and other directives may precede it)` +
      (parenthesised ? ', and cannot be wrapped in parentheses.' : '.'),
  );
}

/**
 * The rules every directive function obeys wherever it stands: async, not a generator, not a class
 * instance method. Reported on the function so the code frame shows where to add `async`.
 */
export function checkDirectiveFunction(file: BabelFile, fn: t.Node, directive: string): void {
  const f = fn as AnyFunction;
  if (
    (f.type === 'ObjectMethod' || f.type === 'ClassMethod' || f.type === 'ClassPrivateMethod') &&
    (f.kind === 'get' || f.kind === 'set')
  ) {
    throw diagnostic(
      file,
      f,
      Codes.accessor,
      `A ${f.kind === 'get' ? 'getter' : 'setter'} cannot carry ${quote(directive)}: accessors cannot be async. ` +
        `Use an async method or function instead (\`async ${f.kind === 'get' ? 'load' : 'save'}(...) { ${quote(directive)}; ... }\`).`,
    );
  }
  if ((f.type === 'ClassMethod' || f.type === 'ClassPrivateMethod') && !f.static) {
    throw diagnostic(
      file,
      f,
      Codes.instanceMethod,
      `Class instance methods cannot carry ${quote(directive)}: the method would need \`this\`. ` +
        'Use a static method, an object method or a module-level function.',
    );
  }
  if (!f.async || f.generator) {
    throw diagnostic(
      file,
      f,
      Codes.syncFunction,
      f.generator
        ? `Functions with ${quote(directive)} must be async functions, not generators.`
        : `Functions with ${quote(directive)} must be async: add the \`async\` keyword.`,
    );
  }
}

/**
 * The scan without the directives the plugin does not compile (option `directives`): those
 * functions and files are left as written, directive included, for the tool that compiles them.
 * Their diagnostics (typos, placement, two directives on one function or file) were reported by
 * the scan all the same: a mistake is one whichever tool compiles the directive.
 */
export function compiledOnly(scan: ScanResult, options: PluginOptions): ScanResult {
  if (options.directives.length === 2) return scan;
  const compiled = (info: DirectiveInfo) => info.type === 'client' || options.directives.includes(`use ${info.type}`);
  return {
    fileDirective: scan.fileDirective && compiled(scan.fileDirective.info) ? scan.fileDirective : null,
    functions: scan.functions.filter((found) => compiled(found.info)),
  };
}

/**
 * A `'use client'` file is compiled by neither layer; a directive function in it is an error
 * (its body would ship to the browser).
 */
export function rejectDirectiveFunctionsInClientFile(file: BabelFile, scan: ScanResult): void {
  const first = scan.functions[0];
  if (first) {
    throw diagnostic(
      file,
      first.directive,
      Codes.directiveInClientFile,
      `${quote(directiveText(first.info))} cannot be used in a 'use client' file. ` +
        "Define the function in a separate 'use server' file and import it.",
    );
  }
}

/** Each directive function of the file -> its own directive (which wins over the file's). */
export function ownDirectives(scan: ScanResult): Map<t.Node, ReferenceDirective> {
  return new Map(scan.functions.map((found) => [found.node, found.info]));
}
