// Compile a small app of several modules with the plugin (server layer, the real runtime by its
// package name, aliased to src/runtime by vitest.config.ts), write it to test/.out/apps/<n>/ and
// import its entry. Plain `.mjs` siblings (data modules a directive file imports) are written as
// given.
import { transformAsync } from '@babel/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import plugin from '../../src/plugin/index.js';
import { repoRoot } from './fixtures.js';

let counter = 0;

export interface CompiledApp {
  module: Record<string, any>;
  code: string;
  references: { id: string; exportName: string; kind: string; captures: string[] }[];
  /** Import another module of the app (by its written name). */
  load(name: string): Promise<Record<string, any>>;
}

/**
 * `files` maps file names to sources: `*.jsx` files are compiled, others written as they are;
 * `entry` (a `.jsx` name) is imported.
 */
export async function compileApp(
  files: Record<string, string>,
  entry: string,
  options: Record<string, unknown> = {},
): Promise<CompiledApp> {
  const dir = join(repoRoot, 'test/.out/apps', `${process.pid}-${counter++}`);
  mkdirSync(dir, { recursive: true });
  let compiled: CompiledApp | undefined;
  for (const [name, source] of Object.entries(files)) {
    if (!name.endsWith('.jsx')) {
      writeFileSync(join(dir, name), source);
      continue;
    }
    const result = await transformAsync(source, {
      filename: join(dir, name),
      root: repoRoot,
      cwd: repoRoot,
      configFile: false,
      babelrc: false,
      sourceType: 'module',
      presets: [['@babel/preset-react', { runtime: 'automatic' }]],
      plugins: [[plugin, options]],
    });
    const out = join(dir, name.replace(/\.jsx$/, '.mjs'));
    writeFileSync(out, result!.code!);
    if (name === entry) {
      compiled = {
        module: {},
        load: (file) => import(/* @vite-ignore */ pathToFileURL(join(dir, file)).href),
        code: result!.code!,
        references: (result!.metadata as unknown as { serverReferences: CompiledApp['references'] }).serverReferences,
      };
    }
  }
  if (!compiled) throw new Error(`compileApp: no entry ${entry}`);
  const url = pathToFileURL(join(dir, entry.replace(/\.jsx$/, '.mjs'))).href;
  compiled.module = (await import(/* @vite-ignore */ url)) as Record<string, any>;
  return compiled;
}
