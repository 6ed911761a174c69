#!/usr/bin/env node
// `use-cache`: the command-line front of babel-plugin-use-cache (see the Command line section of README.md).
import { realpathSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HELP, parseCommandLine, type ManifestCommand, type TransformCommand } from './args.js';
import type { CompileOutput } from './compile.js';
import { InputError, OptionError, UsageError } from './errors.js';
import { buildManifest, formatManifest, mergeManifest, parseManifest, type Manifest } from './manifest.js';

const USAGE_HINT =
  'Usage: use-cache transform <file|-> [options] | use-cache manifest <files...> [options] (use-cache --help for more)';

export const EXIT = { ok: 0, input: 1, usage: 2, internal: 3 } as const;

interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: () => Promise<string>;
  cwd: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function readInput(file: string, display: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new InputError(`use-cache: cannot read ${display}: ${reason}`);
  }
}

async function writeOutput(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

// Babel and the plugin load only when there is something to compile: help and usage errors stay fast.
const loadCompiler = () => import('./compile.js');

function withNewline(code: string): string {
  return code === '' || code.endsWith('\n') ? code : code + '\n';
}

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function runTransform(command: TransformCommand, io: Io): Promise<void> {
  const root = path.resolve(io.cwd, command.root);
  const fromStdin = command.file === '-';
  const filename = path.resolve(io.cwd, fromStdin ? (command.filename ?? 'stdin.js') : command.file);
  const display = fromStdin ? '<stdin>' : command.file;
  const code = fromStdin ? await io.stdin() : await readInput(filename, display);
  const out = command.out !== undefined ? path.resolve(io.cwd, command.out) : undefined;
  const { layer, runtime, hashSalt, cacheKinds, nextCompat } = command;
  const { compile, parsesAsTypeScript, toPosix } = await loadCompiler();
  let result: CompileOutput;
  try {
    result = await compile(
      {
        filename,
        code,
        root,
        flags: { layer, runtime, hashSalt, cacheKinds, nextCompat },
        sourceMapDir: command.sourceMaps ? (out ? path.dirname(out) : root) : undefined,
      },
      display,
    );
  } catch (error) {
    if (error instanceof InputError && fromStdin && command.filename === undefined && parsesAsTypeScript(code)) {
      throw new InputError(
        `${error.message}\nuse-cache: the input looks like TypeScript, and stdin is read as JavaScript unless ` +
          '--filename names a .ts or .tsx file: pass --filename (e.g. --filename src/page.tsx).',
      );
    }
    throw error;
  }

  let text = result.code;
  if (result.map) {
    if (out) {
      await writeOutput(`${out}.map`, JSON.stringify(result.map) + '\n');
      text = `${withNewline(text)}//# sourceMappingURL=${path.basename(out)}.map`;
    } else {
      const data = Buffer.from(JSON.stringify(result.map)).toString('base64');
      text = `${withNewline(text)}//# sourceMappingURL=data:application/json;charset=utf-8;base64,${data}`;
    }
  }
  if (out) await writeOutput(out, withNewline(text));
  if (command.metadata) io.stdout(JSON.stringify(result.serverReferences, null, 2) + '\n');
  else if (!out) io.stdout(withNewline(text));

  if (command.manifest !== undefined) {
    const manifestFile = path.resolve(io.cwd, command.manifest);
    let existing: Manifest = {};
    const previous = await readFile(manifestFile, 'utf8').catch(() => undefined);
    if (previous !== undefined && previous.trim() !== '') {
      try {
        existing = parseManifest(previous, command.manifest);
      } catch (error) {
        throw new InputError(`use-cache: ${(error as Error).message}`);
      }
    }
    const relative = toPosix(path.relative(root, filename));
    await writeOutput(manifestFile, formatManifest(mergeManifest(existing, relative, result.serverReferences)));
  }
}

async function runManifest(command: ManifestCommand, io: Io): Promise<boolean> {
  const root = path.resolve(io.cwd, command.root);
  const { layer, runtime, hashSalt, cacheKinds, nextCompat } = command;
  const { compile, toPosix } = await loadCompiler();
  const files = [...new Set(command.files.map((file) => path.resolve(io.cwd, file)))];
  const compiled: Array<{ file: string; references: CompileOutput['serverReferences'] }> = [];
  let failed = false;
  // One file after the other: Babel is synchronous at heart, parallelism here would buy nothing.
  for (const filename of files) {
    const display = path.relative(io.cwd, filename) || filename;
    try {
      const code = await readInput(filename, display);
      const result = await compile(
        { filename, code, root, flags: { layer, runtime, hashSalt, cacheKinds, nextCompat } },
        display,
      );
      compiled.push({ file: toPosix(path.relative(root, filename)), references: result.serverReferences });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      io.stderr(error.message + '\n');
      failed = true;
    }
  }
  if (failed) {
    io.stderr('use-cache: manifest not written (see the errors above)\n');
    return false;
  }
  const text = formatManifest(buildManifest(compiled));
  if (command.out !== undefined) await writeOutput(path.resolve(io.cwd, command.out), text);
  else io.stdout(text);
  return true;
}

export async function main(argv: string[], io: Io): Promise<number> {
  let command;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`use-cache: ${error.message}\n${USAGE_HINT}\n`);
    return EXIT.usage;
  }
  try {
    switch (command.command) {
      case 'help':
        io.stdout(HELP + '\n');
        return EXIT.ok;
      case 'version':
        io.stdout((await version()) + '\n');
        return EXIT.ok;
      case 'transform':
        await runTransform(command, io);
        return EXIT.ok;
      case 'manifest':
        return (await runManifest(command, io)) ? EXIT.ok : EXIT.input;
    }
  } catch (error) {
    if (error instanceof OptionError) {
      io.stderr(`use-cache: ${error.message}\n${USAGE_HINT}\n`);
      return EXIT.usage;
    }
    if (error instanceof InputError) {
      io.stderr(error.message + '\n');
      return EXIT.input;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr(
      'use-cache: internal error (a bug in babel-plugin-use-cache: please report it with the input file)\n' +
        detail +
        '\n',
    );
    return EXIT.internal;
  }
}

function isEntryPoint(): boolean {
  // Through npm's bin symlink argv[1] is the link: compare real paths.
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // An early `process.exit` could cut a large output short on a pipe: set the code and let Node drain.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  main(process.argv.slice(2), {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stdin: readStdin,
    cwd: process.cwd(),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`use-cache: internal error\n${String((error as Error)?.stack ?? error)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}
