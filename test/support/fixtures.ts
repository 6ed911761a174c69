// Shared helpers of the compiler tests: where fixtures live and how one is compiled.
import { transformAsync, type TransformOptions } from '@babel/core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import plugin from '../../src/plugin/index.js';
import { repoRoot, type Fixture } from './fixture-files.mjs';

export { fixturesDir, listFixtures, repoRoot, type Fixture } from './fixture-files.mjs';

/** Babel options of a fixture: its plugin options, and the file name its harness.json gives (or its own). */
export function babelOptions(
  fixture: Fixture,
  extra: { presets?: TransformOptions['presets']; root?: string; plugin?: unknown } = {},
): TransformOptions {
  const root = extra.root ?? repoRoot;
  const isTs = fixture.inputFile.endsWith('.tsx') || fixture.inputFile.endsWith('.ts');
  return {
    filename: join(root, fixture.filename ?? fixture.inputFile.slice(repoRoot.length + 1)),
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
    plugins: [[extra.plugin ?? plugin, fixture.options]],
  };
}

/**
 * The plugin as a Babel that does not expose its private caches (`api.traverse.cache`) loads it:
 * every step uses Babel's public API (src/plugin/babel-internals.ts), and the closure analysis
 * runs as a Babel visitor instead of the raw-AST walk.
 */
export function withoutBabelInternals(babelPlugin: typeof plugin): typeof plugin {
  return (api, options, dirname) => babelPlugin({ ...api, traverse: undefined }, options, dirname);
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
