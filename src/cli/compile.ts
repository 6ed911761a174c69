// One file through Babel with the plugin, with a fixed configuration (no config files are read),
// and the classification of what can go wrong into the CLI's exit codes.
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseSync, transformAsync, type PluginItem, type TransformOptions } from '@babel/core';
import plugin, { type ServerReferenceMeta } from '../plugin/index.js';
import type { PluginFlags } from './args.js';
import { InputError, OptionError } from './errors.js';

export type ServerReference = ServerReferenceMeta;

export interface CompileInput {
  /** Absolute path of the file (for stdin: the name given with --filename, made absolute). */
  filename: string;
  code: string;
  root: string;
  flags: PluginFlags;
  /** Where the map will live (`sources` are relative to it); undefined: no source map. */
  sourceMapDir?: string;
}

export interface CompileOutput {
  code: string;
  map: object | null;
  serverReferences: ServerReference[];
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

/** @babel/preset-typescript, from the user's project first, else from next to this package. */
function resolvePresetTypescript(root: string): string {
  for (const base of [path.join(root, 'package.json'), import.meta.url]) {
    try {
      return createRequire(base).resolve('@babel/preset-typescript');
    } catch {
      // try the next place
    }
  }
  throw new InputError(
    'use-cache: TypeScript files need @babel/preset-typescript: install it (npm install -D @babel/preset-typescript)',
  );
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

export function pluginOptions(flags: PluginFlags): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flags)) if (value !== undefined) options[key] = value;
  return options;
}

export function babelOptions(input: Omit<CompileInput, 'code'>): TransformOptions {
  const extension = path.extname(input.filename).toLowerCase();
  const isTs = TS_EXTENSIONS.has(extension);
  const presets: PluginItem[] = isTs
    ? [
        [
          resolvePresetTypescript(input.root),
          { isTSX: extension === '.tsx', allExtensions: true, onlyRemoveTypeImports: true },
        ],
      ]
    : [];
  return {
    filename: input.filename,
    root: input.root,
    cwd: input.root,
    configFile: false,
    babelrc: false,
    sourceType: 'module',
    // Never Babel's size-dependent "compact" mode: the same layout for every file, and no note on stderr.
    compact: false,
    parserOpts: isTs ? {} : { plugins: ['jsx'] },
    presets,
    plugins: [[plugin, pluginOptions(input.flags)]],
    highlightCode: Boolean(process.stderr.isTTY),
    sourceMaps: input.sourceMapDir !== undefined,
    sourceFileName:
      input.sourceMapDir !== undefined ? toPosix(path.relative(input.sourceMapDir, input.filename)) : undefined,
  };
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/** Turns what Babel threw into InputError / OptionError; anything else is rethrown (a bug). */
function classify(error: unknown, displayName: string): never {
  if (isStackOverflow(error)) {
    throw new InputError(
      `${displayName}: the code is nested too deeply to compile (${(error as Error).message}); ` +
        'split the deepest expression or function into smaller ones',
    );
  }
  if (!(error instanceof Error)) throw error;
  const { code } = error as { code?: unknown };
  const message = error.message;
  // Problems with the plugin's options surface while Babel loads the plugin ("[BABEL] file: ...").
  if (message.startsWith('[BABEL]') && /use-cache|option/i.test(message)) throw new OptionError(message);
  if (code === 'BABEL_PARSE_ERROR' || message.includes('[use-cache/') || error instanceof SyntaxError) {
    throw new InputError(message);
  }
  throw error;
}

export async function compile(input: CompileInput, displayName: string): Promise<CompileOutput> {
  let result;
  try {
    result = await transformAsync(input.code, babelOptions(input));
  } catch (error) {
    classify(error, displayName);
  }
  if (!result || typeof result.code !== 'string') throw new Error(`Babel returned no code for ${displayName}`);
  const metadata = result.metadata as { serverReferences?: ServerReference[] } | undefined;
  return { code: result.code, map: result.map ?? null, serverReferences: metadata?.serverReferences ?? [] };
}

/**
 * True when `code`, which failed to parse as JavaScript, parses as TypeScript: stdin without
 * `--filename` is compiled as JavaScript, and the user should be told to name the file.
 */
export function parsesAsTypeScript(code: string): boolean {
  for (const plugins of [['typescript'], ['typescript', 'jsx']] as const) {
    try {
      parseSync(code, {
        configFile: false,
        babelrc: false,
        sourceType: 'module',
        parserOpts: { plugins: [...plugins] },
      });
      return true;
    } catch {
      // try TSX next
    }
  }
  return false;
}
