// A lifted function or arrow keeps its NodePath and the scope Babel crawled before the plugin ran
// (babel-internals.ts, moveKeepingPath), instead of getting a new scope that Babel crawls again; so
// does the hoisted forwarder that takes a declaration's place (babel-internals.ts, becomeDeclaration). Plugins that
// run after ours read those scopes, so a kept scope must hold exactly what a fresh crawl finds:
// the same bindings, of the same kinds, with the same references and assignments.
import { transformAsync, type NodePath, type PluginObj } from '@babel/core';
import type { Scope } from '@babel/traverse';
import type * as t from '@babel/types';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { babelOptions, listFixtures } from '../support/fixtures.js';

const LIFTING = new Set(['cacheFunction', 'serverReference']);

function snapshot(scope: Scope): string[] {
  return Object.entries(scope.bindings)
    .map(([name, b]) => {
      const refs = b.referencePaths.map((p) => p.node?.start ?? `new:${(p.node as t.Identifier | null)?.name}`).sort();
      return `${name} ${b.kind} refs=[${refs.join(',')}] violations=${b.constantViolations.length}`;
    })
    .sort();
}

interface Seen {
  lifted: number;
  kept: number;
  forwarders: number;
  mismatches: string[];
}

/** `function f() { return $$cache_f.apply(null, arguments); }`: it keeps the declaration's path and scope. */
function isForwarder(node: t.Function): boolean {
  if (node.type !== 'FunctionDeclaration' || node.params.length > 0 || node.body.body.length !== 1) return false;
  const ret = node.body.body[0]!;
  return (
    ret.type === 'ReturnStatement' &&
    ret.argument?.type === 'CallExpression' &&
    ret.argument.callee.type === 'MemberExpression' &&
    ret.argument.callee.object.type === 'Identifier' &&
    ret.argument.callee.object.name.startsWith('$$')
  );
}

/** Runs after the plugin in the same traversal and checks every lifted function when it is reached. */
function checker(seen: Seen) {
  return (api: { traverse: { cache: { scope: WeakMap<t.Node, Scope> } } }): PluginObj => {
    const before = new Map<t.Node, Scope | undefined>();
    return {
      visitor: {
        Program(program) {
          // After our Program visitor: remember which scope each lifted function has now.
          for (const statement of program.node.body) {
            const declaration = statement.type === 'ExportNamedDeclaration' ? statement.declaration : statement;
            if (declaration?.type !== 'VariableDeclaration') continue;
            const init = declaration.declarations[0]?.init;
            if (init?.type !== 'CallExpression' || init.callee.type !== 'Identifier' || !LIFTING.has(init.callee.name))
              continue;
            // The function is the last argument but for cacheFunction's options object.
            const fn = init.arguments.findLast((a) => a.type !== 'ObjectExpression')!;
            before.set(fn, api.traverse.cache.scope.get(fn));
          }
        },
        Function(path: NodePath<t.Function>) {
          if (isForwarder(path.node)) {
            seen.forwarders++;
          } else {
            if (!before.has(path.node)) return;
            seen.lifted++;
            if (path.scope === before.get(path.node)) seen.kept++;
          }
          const kept = snapshot(path.scope);
          path.scope.crawl();
          const fresh = snapshot(path.scope);
          if (JSON.stringify(kept) !== JSON.stringify(fresh))
            seen.mismatches.push(`${kept.join('; ')}\n  fresh: ${fresh.join('; ')}`);
        },
      },
    };
  };
}

const compiling = listFixtures().filter((f) => !existsSync(join(f.dir, 'error.txt')));

describe('kept scopes of lifted functions', () => {
  it('hold what a fresh crawl finds, in every fixture that compiles', async () => {
    const seen: Seen = { lifted: 0, kept: 0, forwarders: 0, mismatches: [] };
    const failures: string[] = [];
    for (const fixture of compiling) {
      const options = babelOptions(fixture);
      options.plugins = [...options.plugins!, checker(seen)];
      const before = seen.mismatches.length;
      await transformAsync(readFileSync(fixture.inputFile, 'utf8'), options);
      if (seen.mismatches.length > before)
        failures.push(`${fixture.group}/${fixture.name}:\n  ${seen.mismatches.slice(before).join('\n  ')}`);
    }
    expect(failures.join('\n')).toBe('');
    // The check is only worth something if scopes were kept, and not for every function (declarations
    // and server actions with captured values get a new scope).
    expect(seen.kept).toBeGreaterThan(20);
    expect(seen.kept).toBeLessThan(seen.lifted);
    expect(seen.forwarders).toBeGreaterThan(5);
  });
});
