// The `directives` option: the plugin compiles only the directives it is given and leaves the
// others, directive included, to another tool (Vite's @vitejs/plugin-rsc compiles 'use server').
// Compiled with the real runtime, imported and called.
import { transformAsync } from '@babel/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import plugin from '../../src/plugin/index.js';
import { resetCache } from '../../src/runtime/index.js';
import { repoRoot } from '../support/fixtures.js';
import { serverReferencesOf } from '../support/metadata.js';

const outDir = join(repoRoot, 'test/.out/directives-option');
mkdirSync(outDir, { recursive: true });
let counter = 0;

async function compileAndImport(source: string, directives: string[]) {
  const name = `m${counter++}`;
  const result = await transformAsync(source, {
    filename: join(repoRoot, 'src/app', `${name}.js`),
    root: repoRoot,
    configFile: false,
    babelrc: false,
    plugins: [[plugin, { directives }]],
  });
  const file = join(outDir, `${name}.mjs`);
  writeFileSync(file, result!.code!);
  const module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, unknown>;
  return { module, code: result!.code!, references: serverReferencesOf(result) };
}

const SOURCE = `'use server';
const runs = { cached: 0, action: 0 };
export async function counts() {
  return runs;
}
export async function save(x) {
  runs.action++;
  return x;
}
export async function load(x) {
  'use cache';
  runs.cached++;
  return { x };
}
export async function page(x) {
  async function inlineAction() {
    'use server';
    return x;
  }
  return inlineAction;
}
`;

type Fn = ((...args: unknown[]) => Promise<unknown>) & { $$typeof?: symbol };
const SERVER_REFERENCE = Symbol.for('react.server.reference');

beforeEach(() => resetCache());

describe('option directives', () => {
  it("['use cache']: cached functions are cached; every 'use server' stays as written, unregistered", async () => {
    const { module, code, references } = await compileAndImport(SOURCE, ['use cache']);
    const load = module.load as Fn;
    expect(await load(1)).toEqual({ x: 1 });
    expect(await load(1)).toEqual({ x: 1 });
    expect(await (module.counts as Fn)()).toEqual({ cached: 1, action: 0 });
    expect(load.$$typeof).toBe(SERVER_REFERENCE);
    // Left for the other tool: the file's directive and the inline one are still there.
    expect(code.startsWith("'use server';")).toBe(true);
    expect(code).toMatch(/async function inlineAction\(\) \{\s+'use server';/);
    expect((module.save as Fn).$$typeof).toBeUndefined();
    expect(((await (module.page as Fn)(2)) as Fn).$$typeof).toBeUndefined();
    expect(references.map((r) => [r.kind, r.localName])).toEqual([['cache', 'load']]);
  });

  it("['use server']: 'use cache' stays as written and nothing is cached", async () => {
    const { module, code, references } = await compileAndImport(SOURCE, ['use server']);
    await (module.load as Fn)(1);
    await (module.load as Fn)(1);
    expect(await (module.counts as Fn)()).toEqual({ cached: 2, action: 0 });
    expect(code).toMatch(/async function load\(x\) \{\s+'use cache';/);
    expect((module.save as Fn).$$typeof).toBe(SERVER_REFERENCE);
    expect(references.map((r) => r.kind)).toEqual(['server', 'server', 'server', 'server', 'server']); // four exports and inlineAction
  });

  it('a typo in a directive it does not compile is still an error', async () => {
    await expect(compileAndImport(`export async function f() { 'use sever'; }`, ['use cache'])).rejects.toThrow(
      /E\d+.*Did you mean 'use server'\?/s,
    );
  });
});
