// Semantics (docs/robustness.md): random programs with nested closures, shadowing, destructuring and default
// parameters, some functions marked 'use cache' / 'use server'. Compiled with the plugin and run
// against a runtime that caches nothing (test/support/passthrough-runtime.mjs), they must return
// exactly what the original returns, for random arguments.
import { transformSync, type PluginItem } from '@babel/core';
import fc from 'fast-check';
// @ts-expect-error no type declarations for this Babel plugin
import commonjs from '@babel/plugin-transform-modules-commonjs';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/plugin/index.js';
// @ts-expect-error plain JavaScript test runtime
import * as passthrough from '../support/passthrough-runtime.mjs';
import { programArb, renderProgram, runArgsArb, type ProgramPlan } from './program-gen.js';

const RUNTIME = 'passthrough-runtime';
const SEED = process.env.SEMANTICS_SEED !== undefined ? Number(process.env.SEMANTICS_SEED) : undefined;
const RUNS = Number(process.env.SEMANTICS_RUNS ?? 150);

type Run = (...args: unknown[]) => Promise<unknown>;

/** ESM source -> CommonJS -> a module object; imports of the runtime get the pass-through one. */
function evaluate(code: string): { run: Run } {
  const cjs = transformSync(code, {
    configFile: false,
    babelrc: false,
    sourceType: 'module',
    plugins: [commonjs],
  })!.code!;
  const module = { exports: {} as { run: Run } };
  const load = (name: string) => {
    if (name === RUNTIME) return passthrough;
    throw new Error(`unexpected import ${name}`);
  };
  new Function('module', 'exports', 'require', cjs)(module, module.exports, load);
  return module.exports;
}

function compile(code: string): string {
  return transformSync(code, {
    filename: 'program.js',
    configFile: false,
    babelrc: false,
    sourceType: 'module',
    plugins: [[plugin as PluginItem, { runtime: RUNTIME }]],
  })!.code!;
}

async function outcome(run: Run, args: unknown[]): Promise<{ value?: unknown; error?: string }> {
  try {
    return { value: await run(...args) };
  } catch (error) {
    return { error: String(error) };
  }
}

/**
 * Programs fast-check found and shrank, always tried first (then random ones): two nested
 * `'use cache'` function declarations in one body, the first capturing a `const` declared before
 * the calls (the compiled bindings must not read it before its line).
 */
type RunArgs = typeof runArgsArb extends fc.Arbitrary<infer T> ? T : never;
const EXAMPLES: Array<[ProgramPlan, RunArgs[]]> = [
  [
    {
      runDirective: null,
      body: [
        { k: 'decl', kind: 'const', ty: 'S2', e: { k: 'ref', pick: 0, opt: false }, shadow: 0 },
        {
          k: 'fn',
          form: 'late',
          directive: 'use cache',
          params: [{ k: 'arr', dflt: { k: 'ref', pick: 0, opt: false } }],
          body: [],
          ret: [
            { k: 'lit', n: 0, s: 'a' },
            { k: 'ref', pick: 19, opt: false },
          ],
          args: [],
        },
        { k: 'fn', form: 'late', directive: 'use cache', params: [], body: [], ret: [], args: [] },
      ],
    },
    [
      [0, '', undefined, undefined],
      [1, 'b', { a: 2, b: 'c' }, undefined],
      [-5, 'x', undefined, { a: 1, b: '' }],
    ],
  ],
];

describe('compiled programs behave like the originals (pass-through runtime)', { timeout: 600_000 }, () => {
  it('the generator makes valid programs that run without errors', async () => {
    await fc.assert(
      fc.asyncProperty(programArb, runArgsArb, async (plan, args) => {
        const source = renderProgram(plan);
        const result = await outcome(evaluate(source).run, args);
        expect(result.error, source).toBeUndefined();
      }),
      { numRuns: 40, seed: SEED },
    );
  });

  it(`random programs return the same values (${RUNS} programs, 3 argument lists each)`, async () => {
    let withDirectives = 0;
    await fc.assert(
      fc.asyncProperty(programArb, fc.array(runArgsArb, { minLength: 3, maxLength: 3 }), async (plan, argLists) => {
        const source = renderProgram(plan);
        const compiled = compile(source);
        if (/['"]use (cache|server)/.test(source)) {
          withDirectives++;
          expect(compiled, 'the runtime is imported').toContain(RUNTIME);
        }
        expect(compiled, 'directives are compiled away').not.toMatch(/^\s*['"]use (cache|server)/m);
        const original = evaluate(source);
        const transformed = evaluate(compiled);
        for (const args of argLists) {
          const expected = await outcome(original.run, args);
          const actual = await outcome(transformed.run, args);
          expect(actual, `source:\n${source}\ncompiled:\n${compiled}\nargs: ${JSON.stringify(args)}`).toEqual(expected);
        }
      }),
      { numRuns: RUNS, seed: SEED, examples: EXAMPLES },
    );
    expect(withDirectives).toBeGreaterThan(RUNS / 2);
  });
});
