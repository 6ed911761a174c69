// The passes read Babel's cached NodePaths instead of building sibling lists with path.get().
// They must get the very path path.get() would give, and nothing at all once the tree changed.
import { transformSync, type NodePath, type PluginObj } from '@babel/core';
import type * as t from '@babel/types';
import { describe, expect, it } from 'vitest';
import { cachedPath, statementPath, useBabel } from '../../src/plugin/cached-paths.js';

/** Runs `check` in a plugin's Program visitor, as the compiler does. */
function inProgram(code: string, check: (program: NodePath<t.Program>) => void): void {
  const plugin = (api: object): PluginObj => {
    useBabel(api as Parameters<typeof useBabel>[0]);
    return { visitor: { Program: (program) => check(program as NodePath<t.Program>) } };
  };
  transformSync(code, { configFile: false, babelrc: false, plugins: [plugin], code: false });
}

const code = 'const a = 1;\nexport function f(x) { return [x, { y: () => x + a }]; }\nf(2);';

describe('cachedPath', () => {
  it('returns the path program.get() returns, for a node deep in the tree', () => {
    inProgram(code, (program) => {
      const declaration = program.node.body[1] as t.ExportNamedDeclaration;
      const fn = declaration.declaration as t.FunctionDeclaration;
      const ret = fn.body.body[0] as t.ReturnStatement;
      const array = ret.argument as t.ArrayExpression;
      const object = array.elements[1] as t.ObjectExpression;
      const arrow = (object.properties[0] as t.ObjectProperty).value;
      const chain = [declaration, fn, fn.body, ret, array, object, object.properties[0]!, arrow];
      const found = cachedPath(program, chain);
      expect(found).not.toBeNull();
      expect(found).toBe(program.get('body.1.declaration.body.body.0.argument.elements.1.properties.0.value'));
      expect(found!.scope.block).toBe(arrow);
    });
  });

  it('returns null when a node on the way was replaced since the crawl', () => {
    inProgram(code, (program) => {
      const declaration = program.node.body[1] as t.ExportNamedDeclaration;
      const fn = declaration.declaration as t.FunctionDeclaration;
      const copy = { ...fn };
      declaration.declaration = copy; // the function's children now hang under a node Babel never saw
      expect(cachedPath(program, [declaration, copy, fn.body])).toBeNull();
    });
  });

  it('returns null for a chain that does not start under the root', () => {
    inProgram(code, (program) => {
      const fn = (program.node.body[1] as t.ExportNamedDeclaration).declaration as t.FunctionDeclaration;
      expect(cachedPath(program, [fn])).toBeNull();
      expect(cachedPath(program, [])).toBeNull();
    });
  });
});

describe('statementPath', () => {
  it('is the path program.get(`body.N`) returns, also for statements spliced in by hand', () => {
    inProgram(code, (program) => {
      program.node.body.splice(1, 0, { type: 'EmptyStatement' } as t.EmptyStatement);
      const direct = [0, 1, 2, 3].map((i) => statementPath(program, i));
      const viaGet = [0, 1, 2, 3].map((i) => program.get(`body.${i}`));
      direct.forEach((path, i) => {
        expect(path).toBe(viaGet[i]);
        expect(path.node).toBe(program.node.body[i]);
        expect(path.key).toBe(i);
      });
    });
  });
});
