// What the plugin guarantees on any input: files without directives come out as Babel alone
// prints them, the same input gives byte-identical output from any folder, hoisted code maps back
// to its original lines, and huge or deeply nested files neither crash nor overflow the stack.
import { transformAsync, transformSync, type TransformOptions } from '@babel/core';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/plugin/index.js';
import { compileFixture, listFixtures, repoRoot } from '../support/fixtures.js';
import { serverReferencesOf } from '../support/metadata.js';

const base = (withPlugin: boolean, extra: TransformOptions = {}): TransformOptions => ({
  filename: join(repoRoot, 'src/app/file.js'),
  root: repoRoot,
  configFile: false,
  babelrc: false,
  parserOpts: { plugins: ['jsx'] },
  plugins: withPlugin ? [plugin] : [],
  ...extra,
});

describe('robustness', () => {
  it('leaves files without directives exactly as Babel alone prints them', () => {
    const sources = [
      `const a = 'use cache is great'; export default a;`,
      `'use strict';\nfunction f() { 'use asm'; return 1 }\nmodule.exports = f;`,
      `export async function f(x) { const s = "use server"; return s + x }`,
      `class A { async m() { return this } }`,
    ];
    for (const code of sources) {
      expect(transformSync(code, base(true))!.code).toBe(transformSync(code, base(false))!.code);
    }
  });

  it('compiles the same file byte-identically from two different folders', async () => {
    const fixtures = listFixtures().filter((f) => f.group === 'use-server-inline' || f.group === 'use-cache-inline');
    const roots = [mkdtempSync(join(tmpdir(), 'use-cache-a-')), mkdtempSync(join(tmpdir(), 'use-cache-b-'))];
    try {
      for (const root of roots) cpSync(join(repoRoot, 'fixtures'), join(root, 'fixtures'), { recursive: true });
      for (const fixture of fixtures) {
        const [a, b] = await Promise.all(roots.map((root) => compileFixture(fixture, { root })));
        expect(a!.code).toBe(b!.code);
        expect(a!.code).not.toContain(roots[0]);
        expect(a!.code).not.toContain(repoRoot);
      }
    } finally {
      for (const root of roots) rmSync(root, { recursive: true, force: true });
    }
  });

  it('maps hoisted code back to its original lines', async () => {
    const code = [
      `import { db } from './db';`,
      `export function Page({ id }) {`,
      `  const load = async () => {`,
      `    'use cache';`,
      `    return db.load(id);`,
      `  };`,
      `  return load;`,
      `}`,
    ].join('\n');
    const result = await transformAsync(code, base(true, { sourceMaps: true }));
    const map = new TraceMap(result!.map as never);
    const lines = result!.code!.split('\n');
    const line = lines.findIndex((l) => l.includes('db.load')) + 1;
    const column = lines[line - 1]!.indexOf('db.load');
    expect(line).toBeLessThan(lines.findIndex((l) => l.includes('export function Page')) + 1);
    expect(originalPositionFor(map, { line, column })).toMatchObject({ line: 5 });
    const lifted = lines.findIndex((l) => l.includes('export const $$cache_0')) + 1;
    expect(originalPositionFor(map, { line: lifted, column: lines[lifted - 1]!.indexOf('async') })).toMatchObject({
      line: 3,
    });
  });

  it('handles 10,000 levels of nesting without a stack overflow of its own', () => {
    const depth = 10_000;
    const code = `'use server';\nexport async function deep() {\n  return ${'['.repeat(depth)}1${']'.repeat(depth)};\n}\n`;
    let error: unknown;
    try {
      transformSync(code, base(true));
    } catch (e) {
      error = e;
    }
    // Babel's own recursive parser/generator may give up at this depth; the plugin must not be
    // the one that overflows.
    if (error) expect(String((error as Error).stack)).not.toMatch(/src\/plugin\//);
  });

  it('compiles a 5 MB file', () => {
    // Mostly large string constants (as in generated data modules), with directive functions
    // spread through it: the size, not Babel's per-node cost, is what this checks.
    const padding = 'x'.repeat(5_000);
    const parts: string[] = [];
    let size = 0;
    for (let i = 0; size < 5_000_000; i++) {
      const part =
        i % 10 === 0
          ? `export async function f_${i}(x) {\n  'use server';\n  return [x, data_${i - 1}];\n}\n`
          : `const data_${i} = '${padding}';\n`;
      parts.push(part);
      size += part.length;
    }
    const result = transformSync(parts.join(''), base(true));
    const references = serverReferencesOf(result);
    expect(references.length).toBe(Math.ceil(parts.length / 10));
  }, 120_000);
});
