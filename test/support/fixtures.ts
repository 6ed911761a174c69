// Shared helpers of the compiler tests: where fixtures live and how one is compiled.
import { transformAsync, type TransformOptions } from '@babel/core';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import plugin from '../../src/plugin/index.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const fixturesDir = join(repoRoot, 'fixtures');

export interface Fixture {
  group: string;
  name: string;
  dir: string;
  inputFile: string;
  options: Record<string, unknown>;
}

export function listFixtures(): Fixture[] {
  const result: Fixture[] = [];
  for (const group of readdirSync(fixturesDir).sort()) {
    const groupDir = join(fixturesDir, group);
    for (const name of readdirSync(groupDir).sort()) {
      const dir = join(groupDir, name);
      const input = ['input.tsx', 'input.ts', 'input.js'].find((f) => existsSync(join(dir, f)));
      if (!input) continue;
      const optionsFile = join(dir, 'options.json');
      const options = existsSync(optionsFile)
        ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as Record<string, unknown>)
        : {};
      result.push({ group, name, dir, inputFile: join(dir, input), options });
    }
  }
  return result;
}

/** Babel options of a fixture: its plugin options, plus `filename` (relative to the repo root). */
export function babelOptions(
  fixture: Fixture,
  extra: { presets?: TransformOptions['presets']; root?: string; plugin?: unknown } = {},
): TransformOptions {
  const { filename, ...pluginOptions } = fixture.options;
  const root = extra.root ?? repoRoot;
  const isTs = fixture.inputFile.endsWith('.tsx') || fixture.inputFile.endsWith('.ts');
  return {
    filename:
      typeof filename === 'string' ? join(root, filename) : join(root, fixture.inputFile.slice(repoRoot.length + 1)),
    root,
    cwd: root,
    configFile: false,
    babelrc: false,
    // error.txt holds plain code frames; Babel colours them whenever it thinks the terminal
    // can show colours (CI=true is enough), which would make the comparison depend on the machine.
    highlightCode: false,
    sourceType: 'module',
    parserOpts: { plugins: isTs ? ['jsx', 'typescript'] : ['jsx'] },
    presets: extra.presets ?? (isTs ? [['@babel/preset-typescript', { isTSX: true, allExtensions: true }]] : []),
    plugins: [[extra.plugin ?? plugin, pluginOptions]],
  };
}

export async function compileFixture(fixture: Fixture, extra: Parameters<typeof babelOptions>[1] = {}) {
  const source = readFileSync(fixture.inputFile, 'utf8');
  return transformAsync(source, babelOptions(fixture, extra));
}

/** The stable part of a compiler error: from the `[use-cache/Exxx]` code on, without Babel's suffixes. */
export function normaliseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const start = message.indexOf('[use-cache/');
  return (start >= 0 ? message.slice(start) : message).replace(/\s*\(While processing: [^)]*\)\s*$/, '').trimEnd();
}
