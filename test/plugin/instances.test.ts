// Per-instance state: the plugin keeps nothing of one Babel instance or one set of options in a
// module variable, so two Babel instances (a tool's own copy of @babel/core next to the app's) and
// two plugin instances with different options compile side by side in one process without
// seeing each other's state.
import * as babelA from '@babel/core';
import type { NodePath, PluginObj, TransformOptions } from '@babel/core';
import type { Scope } from '@babel/traverse';
import type * as t from '@babel/types';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../../src/plugin/index.js';
import { repoRoot } from '../support/fixtures.js';

type Babel = typeof babelA;

const source = `
export async function page(id, user) {
  const load = async () => {
    'use cache';
    return [id, user.name];
  };
  const save = async (value) => {
    'use server';
    return [id, value];
  };
  return [await load(), save];
}
`;

/** Counts the lifted functions that Babel reaches with the scope its crawl made (the fast path). */
function keptScopeCounter(seen: { lifted: number; kept: number }) {
  return (api: { traverse: { cache: { scope: WeakMap<t.Node, Scope> } } }): PluginObj => {
    const before = new Map<t.Node, Scope | undefined>();
    return {
      visitor: {
        Program(program) {
          for (const statement of program.node.body) {
            if (statement.type !== 'ExportNamedDeclaration') continue;
            const init = (statement.declaration as t.VariableDeclaration | null)?.declarations?.[0]?.init;
            if (init?.type !== 'CallExpression') continue;
            const fn = init.arguments.find(
              (a) => a.type === 'ArrowFunctionExpression' || a.type === 'FunctionExpression',
            );
            if (fn) before.set(fn, api.traverse.cache.scope.get(fn));
          }
        },
        Function(path: NodePath<t.Function>) {
          if (!before.has(path.node)) return;
          seen.lifted++;
          if (path.scope === before.get(path.node)) seen.kept++;
        },
      },
    };
  };
}

/**
 * A pipeline built once and reused, as a bundler does: Babel then loads each plugin once and
 * keeps the loaded instance (a new options object would load it again on every call).
 */
function pipeline(babel: Babel, pluginOptions: object) {
  const seen = { lifted: 0, kept: 0 };
  const options: TransformOptions = {
    filename: join(repoRoot, 'src/page.js'),
    root: repoRoot,
    configFile: false,
    babelrc: false,
    plugins: [[plugin, pluginOptions], keptScopeCounter(seen)],
  };
  return {
    seen,
    compile(code = source): string {
      return babel.transformSync(code, options)!.code!;
    },
  };
}

describe('two Babel instances in one process', () => {
  let dir: string;
  let babelB: Babel;

  beforeAll(() => {
    // A second, separate copy of every @babel package (Node caches modules by real path, so a
    // symlink would be the same instance); the other packages are shared through symlinks.
    dir = mkdtempSync(join(tmpdir(), 'use-cache-second-babel-'));
    const modules = join(dir, 'node_modules');
    mkdirSync(modules);
    for (const name of readdirSync(join(repoRoot, 'node_modules'))) {
      if (name === '@babel' || name === '.bin') continue;
      symlinkSync(join(repoRoot, 'node_modules', name), join(modules, name));
    }
    cpSync(join(repoRoot, 'node_modules/@babel'), join(modules, '@babel'), { recursive: true });
    babelB = createRequire(join(dir, 'index.js'))('@babel/core') as Babel;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('each compiles with its own caches, whichever loaded the plugin last', () => {
    expect(babelB.traverse).not.toBe(babelA.traverse); // really two instances
    const a = pipeline(babelA, {});
    const b = pipeline(babelB, {});
    // A loads the plugin, then B does; then A compiles again, then B.
    const first = a.compile();
    expect(b.compile()).toBe(first);
    expect(a.compile()).toBe(first);
    expect(b.compile()).toBe(first);
    // Every lifted function kept the scope its own Babel crawled: each instance's caches were
    // read and written, not the caches of whichever instance loaded the plugin last.
    expect(a.seen).toEqual({ lifted: 4, kept: 4 });
    expect(b.seen).toEqual({ lifted: 4, kept: 4 });
  });
});

describe('two plugin instances with different options in one process', () => {
  it('compile interleaved exactly as each does alone', () => {
    const optionSets = [
      {},
      { hashSalt: 'other-salt', runtime: '@acme/cache-runtime' },
      { layer: 'client', hashSalt: 'client-salt' },
    ];
    const fileSource = `'use cache';\nexport async function f(x) { return x; }\n`;
    const compileFile = (options: object): string =>
      babelA.transformSync(fileSource, {
        filename: join(repoRoot, 'src/data.js'),
        root: repoRoot,
        configFile: false,
        babelrc: false,
        plugins: [[plugin, options]],
      })!.code!;
    const alone = optionSets.map(compileFile);
    expect(new Set(alone).size).toBe(optionSets.length); // the options do change the output
    for (let round = 0; round < 3; round++) {
      optionSets.forEach((options, i) => expect(compileFile(options)).toBe(alone[i]));
    }
    // And the inline-directive path, whose state (names, captures, lifted statements) is per file.
    const pipelines = optionSets.slice(0, 2).map((options) => pipeline(babelA, options));
    const inline = pipelines.map((p) => p.compile());
    expect(inline[0]).not.toBe(inline[1]);
    for (let round = 0; round < 2; round++) pipelines.forEach((p, i) => expect(p.compile()).toBe(inline[i]));
  });
});
