// Command-line parsing for `use-cache`: turns argv into one of the commands, or a usage error.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

export const USAGE = `Usage:
  use-cache transform <file|-> [--layer server|client] [--out FILE] [--source-maps] [--root DIR]
                               [--metadata] [--manifest FILE] [--filename NAME]
                               [--hash-salt S] [--runtime MODULE] [--cache-kinds a,b] [--no-next-compat]
  use-cache manifest <files...> [--out FILE] [--root DIR] [--hash-salt S] [--cache-kinds a,b]
  use-cache --help | --version`;

export const HELP = `use-cache: compile 'use cache' / 'use server' directives with babel-plugin-use-cache.

${USAGE}

Commands:
  transform   Compile one file (or stdin with "-") and print the code to stdout.
  manifest    Write { [id]: { file, exportName, kind } } for the server references of the files.

Options:
  --layer server|client  Which output to produce (default: server).
  --out FILE             Write the output to FILE instead of stdout.
  --source-maps          transform: inline source map on stdout, or FILE.map next to --out FILE.
  --root DIR             Project root; ids hash paths relative to it (default: current directory).
  --metadata             transform: print result.metadata.serverReferences as JSON on stdout
                         (the code then goes to --out only).
  --manifest FILE        transform: also merge this file's references into the manifest FILE.
  --filename NAME        With "-": the file name to use for stdin (default: stdin.js).
  --hash-salt S          Plugin option hashSalt.
  --runtime MODULE       Plugin option runtime (module the compiled code imports).
  --cache-kinds a,b      Plugin option cacheKinds (repeatable or comma-separated).
  --no-next-compat       Plugin option nextCompat: false.
  -h, --help             Show this help.
  -v, --version          Show the version.

Babel configuration files are NOT read: .ts/.mts/.cts/.tsx files go through
@babel/preset-typescript, .js/.jsx/.mjs/.cjs files are parsed with JSX; JSX is kept as is.

Exit codes: 0 success, 1 diagnostic, syntax error or unreadable input,
2 usage error, 3 internal error (a bug: please report it).`;

export interface PluginFlags {
  layer?: 'server' | 'client';
  runtime?: string;
  hashSalt?: string;
  cacheKinds?: string[];
  nextCompat?: boolean;
}

export interface TransformCommand extends PluginFlags {
  command: 'transform';
  file: string;
  out?: string;
  sourceMaps: boolean;
  root: string;
  metadata: boolean;
  manifest?: string;
  filename?: string;
}

export interface ManifestCommand extends PluginFlags {
  command: 'manifest';
  files: string[];
  out?: string;
  root: string;
}

export type Command = TransformCommand | ManifestCommand | { command: 'help' } | { command: 'version' };

const pluginOptionSpecs = {
  'hash-salt': { type: 'string' },
  runtime: { type: 'string' },
  'cache-kinds': { type: 'string', multiple: true },
  root: { type: 'string' },
  out: { type: 'string' },
} as const;

const transformSpecs = {
  ...pluginOptionSpecs,
  layer: { type: 'string' },
  'source-maps': { type: 'boolean' },
  metadata: { type: 'boolean' },
  manifest: { type: 'string' },
  filename: { type: 'string' },
  'next-compat': { type: 'boolean' },
} as const;

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, allowNegative: true, strict: true });
  } catch (error) {
    // node:util reports unknown options and missing values with a readable message.
    throw new UsageError((error as Error).message);
  }
}

function nonEmpty(name: string, value: string | undefined): string | undefined {
  if (value === '') throw new UsageError(`--${name} needs a non-empty value`);
  return value;
}

function pluginFlags(values: {
  'hash-salt'?: string;
  runtime?: string;
  'cache-kinds'?: string[];
  'next-compat'?: boolean;
  layer?: string;
}): PluginFlags {
  const flags: PluginFlags = {};
  if (values.layer !== undefined) {
    if (values.layer !== 'server' && values.layer !== 'client') {
      throw new UsageError(`--layer must be "server" or "client", not ${JSON.stringify(values.layer)}`);
    }
    flags.layer = values.layer;
  }
  if (values['hash-salt'] !== undefined) flags.hashSalt = values['hash-salt'];
  if (values.runtime !== undefined) flags.runtime = nonEmpty('runtime', values.runtime);
  if (values['cache-kinds'] !== undefined) {
    flags.cacheKinds = values['cache-kinds'].flatMap((list) => list.split(',')).map((kind) => kind.trim());
    if (flags.cacheKinds.some((kind) => kind === '')) throw new UsageError('--cache-kinds has an empty kind name');
  }
  if (values['next-compat'] !== undefined) flags.nextCompat = values['next-compat'];
  return flags;
}

export function parseCommandLine(argv: string[]): Command {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('missing command');
  if (first === '-h' || first === '--help' || first === 'help') return { command: 'help' };
  if (first === '-v' || first === '--version') return { command: 'version' };
  if (rest.includes('-h') || rest.includes('--help')) return { command: 'help' };

  if (first === 'transform') {
    const { values, positionals } = parse(rest, transformSpecs);
    if (positionals.length === 0) throw new UsageError('transform needs a file (or "-" for stdin)');
    if (positionals.length > 1) throw new UsageError(`transform takes one file, got ${positionals.length}`);
    const file = positionals[0]!;
    if (values.filename !== undefined && file !== '-') throw new UsageError('--filename is only for stdin ("-")');
    if (values.metadata && values.out === undefined && values['source-maps']) {
      throw new UsageError('--metadata prints JSON on stdout: --source-maps needs --out FILE with it');
    }
    return {
      command: 'transform',
      file,
      out: nonEmpty('out', values.out),
      sourceMaps: values['source-maps'] ?? false,
      root: nonEmpty('root', values.root) ?? '.',
      metadata: values.metadata ?? false,
      manifest: nonEmpty('manifest', values.manifest),
      filename: nonEmpty('filename', values.filename),
      ...pluginFlags(values),
    };
  }

  if (first === 'manifest') {
    const { values, positionals } = parse(rest, pluginOptionSpecs);
    if (positionals.length === 0) throw new UsageError('manifest needs at least one file');
    if (positionals.includes('-')) throw new UsageError('manifest reads files, not stdin ("-")');
    return {
      command: 'manifest',
      files: positionals,
      out: nonEmpty('out', values.out),
      root: nonEmpty('root', values.root) ?? '.',
      ...pluginFlags(values),
    };
  }

  throw new UsageError(`unknown command ${JSON.stringify(first)}`);
}
