// Bad input (docs/robustness.md): invalid syntax, empty files, a 5 MB file, 10,000 levels of nesting, binary
// garbage and every plugin option with a wrong type. Each gets a clear error (file, line and
// column where there is one) or compiles; never a hang, a crash or a stack trace in the CLI.
import { transformSync, type PluginItem } from '@babel/core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../../src/plugin/index.js';
import { STACK_LINE, runCliAsync } from '../cli/built.js';
// @ts-expect-error plain JavaScript helper
import { createRng } from './corpus-lib.mjs';
import { serverReferencesOf } from '../support/metadata.js';

let dir: string;
const write = (name: string, content: string | Buffer) => {
  const full = path.join(dir, name);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
  return full;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'use-cache-bad-input-'));
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const compile = (code: string, options: Record<string, unknown> = {}, filename = '/project/src/input.js') =>
  transformSync(code, {
    filename,
    root: '/project',
    configFile: false,
    babelrc: false,
    parserOpts: { plugins: ['jsx'] },
    plugins: [[plugin as PluginItem, options]],
  });

const thrown = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
};

/** The CLI's answer to a file it cannot compile: exit 1, a message, no stack, no signal. */
function expectCleanFailure(result: { status: number | null; signal: string | null; stdout: string; stderr: string }) {
  expect(result.signal).toBeNull();
  expect(result.status).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr.length).toBeGreaterThan(0);
  expect(result.stderr).not.toMatch(STACK_LINE);
  expect(result.stderr).not.toContain('internal error');
}

const SYNTAX_ERRORS: Array<[string, string, string]> = [
  ['unclosed parameter list', `'use cache';\nexport async function f( {\n`, '(3:0)'],
  ['bad JSX inside a cached function', `export async function f() {\n  'use cache';\n  return <div;\n}\n`, '(3:13)'],
  ['await outside async', `export function f() {\n  'use server';\n  await x;\n}\n`, '(3:2)'],
  ['a lone directive string broken', `'use cache\nexport const a = 1;\n`, '(1:0)'],
];

describe('invalid syntax', { timeout: 120_000 }, () => {
  it.each(SYNTAX_ERRORS)('%s: @babel/core throws a SyntaxError with file, line and column', (_name, code, where) => {
    const error = thrown(() => compile(code, {}, '/project/src/broken.js'));
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error.message).toContain('/project/src/broken.js: ');
    expect(error.message).toContain(where);
    expect((error as { loc?: unknown }).loc).toBeDefined();
  });

  it('through the CLI: exit 1, "file: message (line:column)" and a code frame', async () => {
    const results = await Promise.all(
      SYNTAX_ERRORS.map(([, code], i) => runCliAsync(['transform', write(`syntax/${i}.js`, code)], { cwd: dir })),
    );
    results.forEach((result, i) => {
      expectCleanFailure(result);
      expect(result.stderr).toContain(`syntax/${i}.js: `);
      expect(result.stderr).toContain(SYNTAX_ERRORS[i]![2]);
      expect(result.stderr).toMatch(/^> +\d+ \|/m);
    });
  });
});

describe('empty and trivial files', { timeout: 120_000 }, () => {
  const cases: Array<[string, string]> = [
    ['empty', ''],
    ['whitespace', ' \n\t\n'],
    ['only a comment', '// nothing here\n/* at all */\n'],
    ['only a file directive', `'use cache';\n`],
    ['only a server directive', `'use server';\n`],
    ['a byte order mark before the directive', `\uFEFF'use cache';\nexport async function f() {\n  return 1;\n}\n`],
    ['CRLF line endings', `'use cache';\r\nexport async function f() {\r\n  return 1;\r\n}\r\n`],
  ];
  it.each(cases)('%s compiles through @babel/core', (_name, code) => {
    const result = compile(code);
    expect(result?.code).toBeTypeOf('string');
    expect(result!.code).not.toMatch(/['"]use (cache|server)['"]/);
    const refs = serverReferencesOf(result);
    expect(refs).toHaveLength(code.includes('export async') ? 1 : 0);
  });

  it('and through the CLI (exit 0)', async () => {
    const results = await Promise.all(
      cases.map(([, code], i) => runCliAsync(['transform', write(`trivial/${i}.js`, code)], { cwd: dir })),
    );
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    }
  });
});

/** ~5 MB: plain code with, every tenth block, inline cache functions and server actions that capture. */
function hugeSource(bytes: number): { code: string; references: number } {
  const parts = [`import { db } from './db';\n`];
  let size = parts[0]!.length;
  let references = 0;
  for (let i = 0; size < bytes; i++) {
    const part =
      i % 10 === 0
        ? `export async function page${i}(user, { id = ${i} } = {}) {\n  const load = async (n) => {\n    'use cache';\n    return db.get(user.name, id, n, ${i});\n  };\n  async function act(form) {\n    'use server';\n    return [user.id, form, "${'x'.repeat(20)}"];\n  }\n  return [await load(${i}), act];\n}\n`
        : `export function helper${i}(a, b) {\n  const list = [a, b, ${i}, "${'y'.repeat(30)}"].map((x) => typeof x === 'number' ? x * 2 : x);\n  if (list.length > ${i % 7}) {\n    return { a, b, list, total: list.reduce((s, x) => s + (+x || 0), 0) };\n  }\n  return null;\n}\n`;
    if (i % 10 === 0) references += 2;
    parts.push(part);
    size += part.length;
  }
  return { code: parts.join(''), references };
}

describe('a 5 MB file', { timeout: 300_000 }, () => {
  it('compiles through the CLI, every reference reported, in bounded time', async () => {
    const { code, references } = hugeSource(5 * 1024 * 1024);
    const file = write('huge/big.js', code);
    const started = performance.now();
    const result = await runCliAsync(['transform', file, '--metadata', '--out', path.join(dir, 'huge/out.js')], {
      cwd: dir,
      timeout: 280_000,
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(`5 MB file (${references} references) compiled by the CLI in ${seconds.toFixed(1)} s`);
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveLength(references);
  });
});

const DEPTH = 10_000;
const WITHIN_BABEL = 250;
/** Nested code of every kind; Babel's own recursive parser gives up long before 10,000 levels. */
const NESTED: Record<string, (n: number) => string> = {
  parentheses: (n) => `export const x = ${'('.repeat(n)}1${')'.repeat(n)};\n`,
  arrays: (n) => `export const x = ${'['.repeat(n)}${']'.repeat(n)};\n`,
  blocks: (n) => `${'{'.repeat(n)}${'}'.repeat(n)}\n`,
  'functions with an innermost cache function': (n) =>
    `${Array.from({ length: n }, (_, i) => `async function f${i}(a${i}) {`).join('\n')}\n'use cache';\nreturn a0;\n${'}'.repeat(n)}\n`,
  'cache functions in cache functions': (n) =>
    `${Array.from({ length: n }, (_, i) => `async function f${i}(a${i}) {\n'use cache';`).join('\n')}\nreturn a0;\n${'}'.repeat(n)}\n`,
  'arrows in arrows': (n) =>
    `export const f = ${Array.from({ length: n }, (_, i) => `async (a${i}) => {\n'use server';\nreturn `).join('')}a0${';}'.repeat(n)};\n`,
};

describe(`deeply nested code (${DEPTH} levels)`, { timeout: 180_000 }, () => {
  // Babel's recursive parser overflows first: this holds the CLI to a clean report of that.
  it('through the CLI: compiled, or exit 1 with "nested too deeply" (never a crash or a stack trace)', async () => {
    const names = Object.keys(NESTED);
    const results = await Promise.all(
      names.map((name, i) => runCliAsync(['transform', write(`deep/${i}.js`, NESTED[name]!(DEPTH))], { cwd: dir })),
    );
    results.forEach((result, i) => {
      if (result.status === 0) return;
      expectCleanFailure(result);
      expect(result.stderr, names[i]).toContain(`deep/${i}.js: the code is nested too deeply to compile`);
    });
  });

  // At 10,000 levels Babel's parser gives up before any plugin runs, so through @babel/core only a
  // depth Babel can parse says something about the plugin: there, it must compile too.
  it.each(Object.keys(NESTED))(
    `%s: at ${WITHIN_BABEL} levels, within Babel's reach, the plugin compiles it too`,
    (name) => {
      const code = NESTED[name]!(WITHIN_BABEL);
      const options = {
        filename: '/project/deep.js',
        root: '/project',
        configFile: false,
        babelrc: false,
        compact: false,
      } as const;
      expect(() => transformSync(code, options), 'Babel alone').not.toThrow();
      expect(
        () => transformSync(code, { ...options, plugins: [plugin as PluginItem] }),
        'with the plugin',
      ).not.toThrow();
    },
  );
});

describe('binary garbage', { timeout: 120_000 }, () => {
  const rng = createRng(20_261_125);
  const garbage: Array<[string, Buffer]> = [
    ...Array.from({ length: 4 }, (_, i): [string, Buffer] => [
      `random bytes #${i}`,
      Buffer.from(Array.from({ length: 4096 }, () => rng.int(256))),
    ]),
    ['NUL bytes', Buffer.alloc(1024)],
    ['a PNG header', Buffer.from('89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff61', 'hex')],
    [
      'invalid UTF-8 in a cached function',
      Buffer.concat([
        Buffer.from(`'use cache';\nexport async function f() {\n  return "`),
        Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
        Buffer.from('";\n}\n'),
      ]),
    ],
    ['UTF-16 text', Buffer.from(`'use cache';\nexport async function f() {}\n`, 'utf16le')],
  ];

  it('through the CLI: compiled, or exit 1 with "file: message (line:column)" and a code frame', async () => {
    const results = await Promise.all(
      garbage.map(([, bytes], i) => runCliAsync(['transform', write(`garbage/${i}.js`, bytes)], { cwd: dir })),
    );
    results.forEach((result, i) => {
      expect(result.signal).toBeNull();
      if (result.status === 0) return;
      expectCleanFailure(result);
      expect(result.stderr, garbage[i]![0]).toMatch(new RegExp(`garbage/${i}\\.js: .+ \\(\\d+:\\d+\\)`));
      expect(result.stderr, garbage[i]![0]).toMatch(/^> +\d+ \|/m);
    });
  });

  it('through @babel/core: a SyntaxError with a location, or output', () => {
    for (const [name, bytes] of garbage) {
      let error: Error | undefined;
      try {
        compile(bytes.toString('utf8'));
      } catch (e) {
        error = e as Error;
      }
      if (error) {
        expect(error, name).toBeInstanceOf(SyntaxError);
        expect((error as { loc?: unknown }).loc, name).toBeDefined();
      }
    }
  });
});

describe('plugin options of the wrong type', { timeout: 120_000 }, () => {
  const BAD: Array<[string, unknown]> = [
    ['layer', 5],
    ['layer', 'edge'],
    ['layer', ['server']],
    ['layer', true],
    ['runtime', 1],
    ['runtime', ''],
    ['runtime', { module: 'x' }],
    ['runtime', false],
    ['hashSalt', 1],
    ['hashSalt', {}],
    ['hashSalt', ['a']],
    ['hashSalt', true],
    ['cacheKinds', 'remote'],
    ['cacheKinds', [1]],
    ['cacheKinds', ['bad kind']],
    ['cacheKinds', {}],
    ['cacheKinds', true],
    ['nextCompat', 'yes'],
    ['nextCompat', 1],
    ['nextCompat', {}],
    ['layers', 'client'],
    ['hashsalt', 'x'],
  ];
  it.each(BAD)("%s: %j is rejected with the option's name", (name, value) => {
    const error = thrown(() => compile(`export const a = 1;\n`, { [name]: value }));
    expect(error.message).toMatch(/\[use-cache\/[\w-]+\]/);
    expect(error.message).toContain(`"${name}"`);
    expect(error.message).not.toMatch(/Cannot read|undefined is not|is not a function/);
  });

  it('options that are not an object are rejected', () => {
    for (const options of ['server', 1, ['layer']]) {
      const error = thrown(() =>
        transformSync('1;', {
          filename: '/p/x.js',
          configFile: false,
          babelrc: false,
          plugins: [[plugin as PluginItem, options]],
        }),
      );
      // Babel itself refuses them before the plugin sees them.
      expect(error.message, JSON.stringify(options)).toMatch(/must be an object|\[use-cache\//i);
    }
  });

  it('through the CLI: a flag value the plugin rejects is a usage error (exit 2, the reason, the usage line)', async () => {
    const file = write('options/a.js', `export const a = 1;\n`);
    const result = await runCliAsync(['transform', file, '--cache-kinds', 'bad kind'], { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('"cacheKinds"');
    expect(result.stderr).toMatch(/^Usage: use-cache/m);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});
