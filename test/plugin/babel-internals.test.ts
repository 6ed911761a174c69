// The passes read Babel's cached NodePaths instead of building sibling lists with path.get()
// (src/plugin/babel-internals.ts). They must get the very path path.get() would give, and nothing
// at all once the tree changed or when Babel's caches are not at hand.
import { transformSync, type NodePath, type PluginObj } from '@babel/core';
import type * as t from '@babel/types';
import { describe, expect, it } from 'vitest';
import { babelInternalsOf, cachedPath, statementPath, type BabelInternals } from '../../src/plugin/babel-internals.js';

/** Runs `check` in a plugin's Program visitor, as the compiler does. */
function inProgram(code: string, check: (program: NodePath<t.Program>, internals: BabelInternals) => void): void {
  const plugin = (api: object): PluginObj => {
    const internals = babelInternalsOf(api);
    expect(internals).not.toBeNull();
    return { visitor: { Program: (program) => check(program as NodePath<t.Program>, internals!) } };
  };
  transformSync(code, { configFile: false, babelrc: false, plugins: [plugin], code: false });
}

const code = 'const a = 1;\nexport function f(x) { return [x, { y: () => x + a }]; }\nf(2);';

describe('cachedPath', () => {
  it('returns the path program.get() returns, for a node deep in the tree', () => {
    inProgram(code, (program, internals) => {
      const declaration = program.node.body[1] as t.ExportNamedDeclaration;
      const fn = declaration.declaration as t.FunctionDeclaration;
      const ret = fn.body.body[0] as t.ReturnStatement;
      const array = ret.argument as t.ArrayExpression;
      const object = array.elements[1] as t.ObjectExpression;
      const arrow = (object.properties[0] as t.ObjectProperty).value;
      const chain = [declaration, fn, fn.body, ret, array, object, object.properties[0]!, arrow];
      const found = cachedPath(internals, program, chain);
      expect(found).not.toBeNull();
      expect(found).toBe(program.get('body.1.declaration.body.body.0.argument.elements.1.properties.0.value'));
      expect(found!.scope.block).toBe(arrow);
    });
  });

  it('returns null when a node on the way was replaced since the crawl', () => {
    inProgram(code, (program, internals) => {
      const declaration = program.node.body[1] as t.ExportNamedDeclaration;
      const fn = declaration.declaration as t.FunctionDeclaration;
      const copy = { ...fn };
      declaration.declaration = copy; // the function's children now hang under a node Babel never saw
      expect(cachedPath(internals, program, [declaration, copy, fn.body])).toBeNull();
    });
  });

  it('returns null for a chain that does not start under the root', () => {
    inProgram(code, (program, internals) => {
      const fn = (program.node.body[1] as t.ExportNamedDeclaration).declaration as t.FunctionDeclaration;
      expect(cachedPath(internals, program, [fn])).toBeNull();
      expect(cachedPath(internals, program, [])).toBeNull();
    });
  });

  it('returns null without the caches (the callers then use path.get)', () => {
    inProgram(code, (program) => {
      const declaration = program.node.body[1] as t.ExportNamedDeclaration;
      expect(cachedPath(null, program, [declaration])).toBeNull();
    });
  });
});

describe('statementPath', () => {
  it('is the path program.get(`body.N`) returns, also for statements spliced in by hand', () => {
    inProgram(code, (program, internals) => {
      program.node.body.splice(1, 0, { type: 'EmptyStatement' } as t.EmptyStatement);
      const direct = [0, 1, 2, 3].map((i) => statementPath(internals, program, i));
      const viaGet = [0, 1, 2, 3].map((i) => program.get(`body.${i}`));
      direct.forEach((path, i) => {
        expect(path).toBe(viaGet[i]);
        expect(path.node).toBe(program.node.body[i]);
        expect(path.key).toBe(i);
      });
      expect(statementPath(null, program, 2)).toBe(viaGet[2]);
    });
  });
});

describe('babelInternalsOf', () => {
  it('is null for a Babel that does not expose its caches', () => {
    expect(babelInternalsOf({})).toBeNull();
    expect(babelInternalsOf({ traverse: {} })).toBeNull();
    expect(babelInternalsOf({ traverse: { cache: { path: {}, scope: new WeakMap() } } })).toBeNull();
  });
});
