// The `use-cache` binary, run as a user runs it: the built dist/cli/index.js in a new process.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, STACK_LINE, runCliAsync as cli } from './built.js';

let dir: string;
const file = (name: string, text: string) => {
  const full = path.join(dir, name);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
  return full;
};
const idOf = (relativePath: string, exportName: string, salt = '') =>
  createHash('sha256').update(`${salt}\0${relativePath}\0${exportName}`).digest('hex');

const CACHED = `'use cache';
export async function getUser(id) {
  return { id };
}
export const getPost = async (id) => ({ id });
`;
const ACTIONS = `'use server';
export async function save(data) {
  return data;
}
`;
const USAGE_LINE = /^Usage: use-cache transform <file\|-> \[options\]/m;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'use-cache-cli-'));
  file('src/cached.js', CACHED);
  file('src/actions.js', ACTIONS);
  // Present for every test: the CLI must never read them.
  file('babel.config.json', JSON.stringify({ plugins: ['./no-such-plugin.js'] }));
  file('.babelrc', '{ not json');
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.concurrent('help, version and usage errors', { timeout: 180_000 }, () => {
  it('prints help with every command and exit code, and the version of package.json', async () => {
    const help = await cli(['--help']);
    expect(help.status).toBe(0);
    for (const text of [
      'transform',
      'manifest',
      '--layer',
      '--out',
      '--source-maps',
      '--root',
      '--metadata',
      '--manifest',
      'Exit codes',
    ]) {
      expect(help.stdout).toContain(text);
    }
    expect((await cli(['transform', '--help'])).stdout).toBe(help.stdout);
    const version = await cli(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  });

  it.each([
    [[], 'missing command'],
    [['compile', 'x.js'], 'unknown command "compile"'],
    [['transform'], 'transform needs a file'],
    [['transform', 'a.js', 'b.js'], 'transform takes one file'],
    [['transform', 'a.js', '--bogus'], "Unknown option '--bogus'"],
    [['transform', 'a.js', '--layer'], 'argument missing'],
    [['transform', 'a.js', '--layer', 'edge'], '--layer must be "server" or "client"'],
    [['transform', 'a.js', '--out', ''], '--out needs a non-empty value'],
    [['transform', 'a.js', '--filename', 'x.ts'], '--filename is only for stdin'],
    [['transform', 'a.js', '--cache-kinds', 'a,,b'], 'empty kind'],
    [['manifest'], 'manifest needs at least one file'],
    [['manifest', '-'], 'not stdin'],
  ])('%j is a usage error: exit 2, the reason and a one-line usage hint', async (args, reason) => {
    const result = await cli(args as string[], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(reason);
    expect(lines[1]).toMatch(USAGE_LINE);
  });
});

describe.concurrent('transform', { timeout: 180_000 }, () => {
  it('compiles a file to stdout: directives gone, runtime imported, ids of the path relative to the root', async () => {
    const result = await cli(['transform', 'src/cached.js'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).not.toMatch(/['"]use cache['"]/);
    expect(result.stdout).toContain('babel-plugin-use-cache/runtime');
    expect(result.stdout).toContain(idOf('src/cached.js', 'getUser'));
    expect(result.stdout).toContain(idOf('src/cached.js', 'getPost'));
    expect(result.stdout).not.toContain(dir);
  });

  it('--out writes the file (creating its folder) and prints nothing', async () => {
    const out = path.join(dir, 'build/deep/cached.js');
    const result = await cli(['transform', 'src/cached.js', '--out', out], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe((await cli(['transform', 'src/cached.js'], { cwd: dir })).stdout);
  });

  it('"-" reads stdin; --filename names it (for ids and the language)', async () => {
    const fromFile = await cli(['transform', 'src/cached.js'], { cwd: dir });
    const fromStdin = await cli(['transform', '-', '--filename', 'src/cached.js'], { cwd: dir, input: CACHED });
    expect(fromStdin.status).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    const ts = await cli(['transform', '-', '--filename', 'x.ts'], {
      cwd: dir,
      input: 'export const n: number = 1;\n',
    });
    expect(ts.status).toBe(0);
    expect(ts.stdout.trim()).toBe('export const n = 1;');
    const plain = await cli(['transform', '-'], { cwd: dir, input: 'export const a = <div />;\n' });
    expect(plain.status).toBe(0);
    expect(plain.stdout.trim()).toBe('export const a = <div />;');
  });

  it("one import line per module: the helpers join the file's own import of the runtime", async () => {
    const input = [
      "import { cacheLife, cacheTag } from 'next/cache';",
      'export async function f(id: string) {',
      "  'use cache';",
      "  cacheLife('hours');",
      "  cacheTag('f');",
      '  return id;',
      '}',
      '',
    ].join('\n');
    const result = await cli(['transform', '-', '--filename', 'f.ts'], { cwd: dir, input });
    expect(result.status).toBe(0);
    const sources = [...result.stdout.matchAll(/^import .* from (['"])(.*)\1;$/gm)].map((m) => m[2]);
    expect(sources).toEqual(['babel-plugin-use-cache/runtime']);
  });

  it('TypeScript on stdin without --filename: the error says to pass --filename', async () => {
    const input = "export async function f(id: string) {\n  'use cache';\n  return id;\n}\n";
    const result = await cli(['transform', '-'], { cwd: dir, input });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('(1:26)'); // the parse error itself stays first
    expect(result.stderr).toContain('the input looks like TypeScript');
    expect(result.stderr).toContain('pass --filename (e.g. --filename src/page.tsx)');
    const tsx = await cli(['transform', '-'], {
      cwd: dir,
      input: 'export const a = <T,>(x: T) => <div>{String(x)}</div>;\n',
    });
    expect(tsx.stderr).toContain('pass --filename');
    // Broken JavaScript that is not TypeScript either gets no such hint.
    const broken = await cli(['transform', '-'], { cwd: dir, input: 'export const = 1;\n' });
    expect(broken.status).toBe(1);
    expect(broken.stderr).not.toContain('--filename');
    // With --filename naming a .js file the user chose JavaScript: no hint.
    const named = await cli(['transform', '-', '--filename', 'a.js'], { cwd: dir, input });
    expect(named.stderr).not.toContain('looks like TypeScript');
  });

  it('--root: ids depend on the path relative to the root, not on the working directory', async () => {
    const fromRoot = await cli(['transform', 'src/cached.js'], { cwd: dir });
    const elsewhere = await cli(['transform', path.join(dir, 'src/cached.js'), '--root', dir], { cwd: os.tmpdir() });
    expect(elsewhere.status).toBe(0);
    expect(elsewhere.stdout).toBe(fromRoot.stdout);
    const deeper = await cli(['transform', 'src/cached.js', '--root', 'src'], { cwd: dir });
    expect(deeper.stdout).toContain(idOf('cached.js', 'getUser'));
  });

  it('--layer client replaces the module by client stubs with the same ids', async () => {
    const result = await cli(['transform', 'src/actions.js', '--layer', 'client'], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('createServerReference');
    expect(result.stdout).toContain('babel-plugin-use-cache/client');
    expect(result.stdout).toContain(idOf('src/actions.js', 'save'));
    expect(result.stdout).not.toContain('return data');
  });

  it('--metadata prints serverReferences as JSON (code to --out only)', async () => {
    const out = path.join(dir, 'build/meta.js');
    const result = await cli(['transform', 'src/cached.js', '--metadata', '--out', out], { cwd: dir });
    expect(result.status).toBe(0);
    const refs = JSON.parse(result.stdout) as Array<{ id: string; exportName: string; kind: string; level: string }>;
    expect(refs.map((r) => [r.exportName, r.kind, r.level, r.id])).toEqual([
      ['getUser', 'cache', 'file', idOf('src/cached.js', 'getUser')],
      ['getPost', 'cache', 'file', idOf('src/cached.js', 'getPost')],
    ]);
    expect(existsSync(out)).toBe(true);
  });

  it('passes --hash-salt, --runtime, --cache-kinds and --no-next-compat to the plugin', async () => {
    const salted = await cli(['transform', 'src/cached.js', '--hash-salt', 'pepper'], { cwd: dir });
    expect(salted.stdout).toContain(idOf('src/cached.js', 'getUser', 'pepper'));
    expect(salted.stdout).not.toContain(idOf('src/cached.js', 'getUser'));

    const runtime = await cli(['transform', 'src/cached.js', '--runtime', 'my-runtime'], { cwd: dir });
    expect(runtime.stdout).toMatch(/from ["']my-runtime["']/);
    expect(runtime.stdout).not.toContain('babel-plugin-use-cache/runtime');

    const kinds = file('src/kinds.js', `export async function f() {\n  'use cache: edge';\n  return 1;\n}\n`);
    const unknownKind = await cli(['transform', kinds], { cwd: dir });
    expect(unknownKind.status).toBe(1);
    expect(unknownKind.stderr).toContain('edge');
    const allowed = await cli(['transform', kinds, '--cache-kinds', 'edge,other'], { cwd: dir });
    expect(allowed.stderr).toBe('');
    expect(allowed.stdout).toMatch(/["']edge["']/);

    const next = file(
      'src/next.js',
      `import { cacheTag } from 'next/cache';\nexport async function f() {\n  'use cache';\n  cacheTag('a');\n  return 1;\n}\n`,
    );
    expect((await cli(['transform', next], { cwd: dir })).stdout).not.toContain('next/cache');
    expect((await cli(['transform', next, '--no-next-compat'], { cwd: dir })).stdout).toContain('next/cache');
  });

  it('--source-maps: inline on stdout; FILE.map next to --out, with sources relative to it', async () => {
    const inline = await cli(['transform', 'src/cached.js', '--source-maps'], { cwd: dir });
    expect(inline.status).toBe(0);
    const match = /\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,(\S+)\n?$/.exec(inline.stdout);
    expect(match).not.toBeNull();
    const inlineMap = JSON.parse(Buffer.from(match![1]!, 'base64').toString('utf8'));
    expect(inlineMap.sources).toEqual(['src/cached.js']);
    expect(inlineMap.mappings.length).toBeGreaterThan(0);

    const out = path.join(dir, 'build/maps/cached.js');
    const toFile = await cli(['transform', 'src/cached.js', '--source-maps', '--out', out], { cwd: dir });
    expect(toFile.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/\/\/# sourceMappingURL=cached\.js\.map\n$/);
    const map = JSON.parse(readFileSync(`${out}.map`, 'utf8'));
    expect(map.sources).toEqual(['../../src/cached.js']);
    expect(JSON.stringify(map)).not.toContain(dir);
  });

  it('TypeScript goes through preset-typescript; .tsx keeps its JSX; Babel config files are not read', async () => {
    const ts = file(
      'src/typed.ts',
      `'use cache';\nimport type { User } from './types';\nexport async function load(id: string): Promise<User> {\n  return { id } as User;\n}\n`,
    );
    const result = await cli(['transform', ts], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toMatch(/: string|as User|import type/);
    const tsx = file('src/page.tsx', `export default function Page({ n }: { n: number }) {\n  return <p>{n}</p>;\n}\n`);
    expect((await cli(['transform', tsx], { cwd: dir })).stdout).toContain('<p>{n}</p>');
  });

  it('an empty file compiles to nothing', async () => {
    const empty = file('src/empty.js', '');
    const result = await cli(['transform', empty], { cwd: dir });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
  });
});

describe.concurrent(
  'errors in the input: exit 1, the message with its code frame, no stack trace',
  { timeout: 180_000 },
  () => {
    it('a plugin diagnostic', async () => {
      const bad = file('src/sync.js', `export function f() {\n  'use cache';\n  return 1;\n}\n`);
      const result = await cli(['transform', bad], { cwd: dir });
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(bad);
      expect(result.stderr).toMatch(/\[use-cache\/[\w-]+\]/);
      expect(result.stderr).toMatch(/^> +1 \| export function f\(\) \{/m);
      expect(result.stderr).not.toMatch(STACK_LINE);
    });

    it('a syntax error, with line and column', async () => {
      const bad = file('src/broken.js', `export async function f( {\n`);
      const result = await cli(['transform', bad], { cwd: dir });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/broken\.js: Unexpected token \(2:0\)/);
      expect(result.stderr).toMatch(/^> +2 \|/m);
      expect(result.stderr).not.toMatch(STACK_LINE);
    });

    it('a missing file, a directory', async () => {
      const missing = await cli(['transform', 'src/nope.js'], { cwd: dir });
      expect(missing.status).toBe(1);
      expect(missing.stderr.trim()).toBe('use-cache: cannot read src/nope.js: no such file');
      const folder = await cli(['transform', 'src'], { cwd: dir });
      expect(folder.status).toBe(1);
      expect(folder.stderr.trim()).toBe('use-cache: cannot read src: it is a directory');
    });

    it('colours only on a terminal (never in a pipe)', async () => {
      const bad = file('src/sync2.js', `export function f() {\n  'use cache';\n}\n`);
      const result = await cli(['transform', bad], { cwd: dir, env: { FORCE_COLOR: '1', NO_COLOR: undefined } });
      expect(result.status).toBe(1);
      expect(result.stderr).not.toContain('\u001b[');
    });
  },
);

describe.concurrent('manifest', { timeout: 180_000 }, () => {
  it('writes { [id]: { file, exportName, kind } } for the files, sorted by file', async () => {
    const result = await cli(['manifest', 'src/cached.js', 'src/actions.js'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const manifest = JSON.parse(result.stdout);
    expect(manifest).toEqual({
      [idOf('src/actions.js', 'save')]: { file: 'src/actions.js', exportName: 'save', kind: 'server' },
      [idOf('src/cached.js', 'getUser')]: { file: 'src/cached.js', exportName: 'getUser', kind: 'cache' },
      [idOf('src/cached.js', 'getPost')]: { file: 'src/cached.js', exportName: 'getPost', kind: 'cache' },
    });
    expect(Object.values(manifest).map((e) => (e as { file: string }).file)).toEqual([
      'src/actions.js',
      'src/cached.js',
      'src/cached.js',
    ]);
    const out = path.join(dir, 'build/manifest.json');
    expect((await cli(['manifest', 'src/actions.js', 'src/cached.js', '--out', out], { cwd: dir })).stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(result.stdout);
  });

  it('includes inline references, with --hash-salt', async () => {
    const inline = file(
      'src/page.js',
      `export default async function Page({ id }) {\n  async function act() {\n    'use server';\n    return id;\n  }\n  return act;\n}\n`,
    );
    const result = await cli(['manifest', inline, '--hash-salt', 's'], { cwd: dir });
    expect(result.status).toBe(0);
    const entries = Object.entries(JSON.parse(result.stdout) as Record<string, { exportName: string; kind: string }>);
    expect(entries).toHaveLength(1);
    const [id, entry] = entries[0]!;
    expect(entry.kind).toBe('server');
    expect(id).toBe(idOf('src/page.js', entry.exportName, 's'));
  });

  it('a failing file: every error printed, exit 1, nothing written', async () => {
    const bad = file('src/bad.js', `'use server';\nexport const x = 1;\n`);
    const broken = file('src/broken2.js', `export async function (\n`);
    const out = path.join(dir, 'build/never.json');
    const result = await cli(['manifest', 'src/cached.js', bad, broken, '--out', out], { cwd: dir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('bad.js');
    expect(result.stderr).toContain('broken2.js');
    expect(result.stderr).toContain('manifest not written');
    expect(result.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(out)).toBe(false);
  });

  it('transform --manifest merges into the manifest file, replacing the entries of that file', async () => {
    // A folder of its own: this test edits its sources while the others run.
    const manifestFile = path.join(dir, 'build/merged.json');
    file('merge/cached.js', CACHED);
    file('merge/actions.js', ACTIONS);
    const a = await cli(
      ['transform', 'merge/cached.js', '--manifest', manifestFile, '--out', path.join(dir, 'build/a.js')],
      { cwd: dir },
    );
    expect(a.status).toBe(0);
    await cli(['transform', 'merge/actions.js', '--manifest', manifestFile], { cwd: dir });
    const both = JSON.parse(readFileSync(manifestFile, 'utf8'));
    expect(Object.keys(both).sort()).toEqual(
      [idOf('merge/cached.js', 'getUser'), idOf('merge/cached.js', 'getPost'), idOf('merge/actions.js', 'save')].sort(),
    );
    expect(readFileSync(manifestFile, 'utf8')).toBe(
      (await cli(['manifest', 'merge/cached.js', 'merge/actions.js'], { cwd: dir })).stdout,
    );

    file('merge/cached.js', `'use cache';\nexport async function only() {\n  return 1;\n}\n`);
    await cli(['transform', 'merge/cached.js', '--manifest', manifestFile], { cwd: dir });
    const replaced = JSON.parse(readFileSync(manifestFile, 'utf8'));
    expect(Object.keys(replaced).sort()).toEqual(
      [idOf('merge/cached.js', 'only'), idOf('merge/actions.js', 'save')].sort(),
    );

    writeFileSync(manifestFile, '[1, 2]');
    const corrupt = await cli(['transform', 'merge/cached.js', '--manifest', manifestFile], { cwd: dir });
    expect(corrupt.status).toBe(1);
    expect(corrupt.stderr).toContain('is not a JSON manifest');
  });
});
