// Error codes and messages of the compiler. Every diagnostic is a Babel error built from the
// offending node, so users get file, line, column and a code frame; the stable code in front of the
// message (`[use-cache/E001]`) is what docs, tests and tools match on.
import type { BabelFile } from '@babel/core';
import type * as t from '@babel/types';

export const Codes = {
  syncFunction: 'E001',
  thisSuperArguments: 'E002',
  instanceMethod: 'E003',
  conflictingFunctionDirectives: 'E004',
  conflictingFileDirectives: 'E005',
  directiveInClientFile: 'E006',
  misplacedDirective: 'E007',
  parenthesisedDirective: 'E008',
  misspelledDirective: 'E009',
  unknownCacheKind: 'E010',
  invalidExport: 'E011',
  invalidOption: 'E012',
  assignmentToCapture: 'E013',
  inlineDirectiveOnClientLayer: 'E014',
  exportAll: 'E015',
  recursiveCapture: 'E016',
  privateName: 'E017',
  accessor: 'E018',
  unsupportedNextCacheName: 'E019',
} as const;

export type Code = (typeof Codes)[keyof typeof Codes];

export function formatMessage(code: Code, message: string): string {
  return `[use-cache/${code}] ${message}`;
}

/**
 * A Babel error pointing at `node`; throw it. Babel prefixes the file name and appends the code
 * frame; the `(line:column)` suffix and `loc` follow Babel's own syntax errors (column from 0), so
 * editors, CLIs and bundler overlays read both kinds alike.
 */
export function diagnostic(file: BabelFile, node: t.Node, code: Code, message: string): Error {
  // `buildCodeFrameError` exists on every Babel File; @types/babel__core does not declare it.
  const withFrames = file as unknown as { buildCodeFrameError(node: t.Node, message: string): Error };
  const start = node.loc?.start;
  const where = start ? ` (${start.line}:${start.column})` : '';
  const error = withFrames.buildCodeFrameError(node, formatMessage(code, message) + where) as Error & {
    code?: string;
    loc?: { line: number; column: number };
  };
  error.code = `USE_CACHE_${code}`;
  if (start) error.loc = { line: start.line, column: start.column };
  return error;
}

/** Quote a directive the way users write it. */
export const quote = (directive: string): string => `'${directive}'`;
