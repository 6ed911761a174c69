// The directive scan only descends into nodes that span a candidate offset found in the text.
// These tests hold it to the full walk: same functions, same key paths, same diagnostics.
import { parseSync, types, type BabelFile } from '@babel/core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { directiveCandidates, scanProgram, type ScanResult } from '../../src/plugin/directives.js';
import { parseOptions } from '../../src/plugin/options.js';
import { listFixtures } from '../support/fixtures.js';

const options = parseOptions({});

function fakeFile(code: string): BabelFile {
  // scanProgram reads `code` (offsets) and hands the file to diagnostics (code frames).
  return {
    code,
    opts: { filename: 'input.tsx' },
    buildCodeFrameError: (_node: unknown, message: string) => new SyntaxError(message),
  } as unknown as BabelFile;
}

type Outcome = { result: Pick<ScanResult, 'functions'> & { file: string | null } } | { error: string };

function scan(code: string, pruned: boolean, parserOpts: Record<string, unknown> = {}): Outcome {
  const ast = parseSync(code, {
    configFile: false,
    babelrc: false,
    sourceType: 'module',
    parserOpts: { plugins: ['jsx', 'typescript'], ...parserOpts },
  })!;
  const file = fakeFile(code);
  try {
    const result = scanProgram(
      ast.program,
      file,
      options,
      types.VISITOR_KEYS,
      pruned ? directiveCandidates(code) : null,
    );
    return {
      result: {
        file: result.fileDirective?.node.value.value ?? null,
        functions: result.functions.map(
          (f) => ({ ...f, node: f.node.start, directive: f.directive.value.value }) as never,
        ),
      },
    };
  } catch (error) {
    return { error: String((error as Error).message) };
  }
}

describe('directiveCandidates', () => {
  it('finds nothing in a file the plugin must leave alone, and every place in one it must not', () => {
    expect(directiveCandidates('export const a = "use strict-ish"; // uses cache lines')).toEqual([]);
    const code = `import { cacheLife } from 'next/cache';\nasync function f() { 'use cache'; }\nasync function g() { 'use cahce'; }`;
    expect(directiveCandidates(code).map((o) => code.slice(o, o + 6))).toEqual(['next/c', "'use c", "'use c"]);
  });
});

describe('directive scan pruned by text offsets', () => {
  const fixtures = listFixtures();
  it.each(fixtures.map((f) => [`${f.group}/${f.name}`, f.inputFile] as const))(
    '%s: same result as the full walk',
    (_name, inputFile) => {
      const code = readFileSync(inputFile, 'utf8');
      expect(scan(code, true)).toEqual(scan(code, false));
    },
  );

  it('finds directives deep inside large files and skips everything else', () => {
    const filler = (prefix: string) =>
      Array.from(
        { length: 300 },
        (_, i) => `export function ${prefix}${i}(a: number) { return [a, { b: () => a + ${i} }]; }`,
      ).join('\n');
    const code = `${filler('f')}\nexport const deep = { x: [() => async function inner(v: string) { 'use cache'; return v; }] };\n${filler('g')}`;
    const pruned = scan(code, true);
    expect(pruned).toEqual(scan(code, false));
    expect('result' in pruned && pruned.result.functions.map((f) => f.keyPath)).toEqual([
      'body.300.declaration.declarations.0.init.properties.0.value.elements.0.body',
    ]);
  });

  it('reports a misspelled directive next to a correct one', () => {
    const code = `async function a() { 'use cache'; return 1; }\n${Array.from({ length: 50 }, (_, i) => `const x${i} = ${i};\n`).join('')}async function b() { 'use cahce'; return 2; }`;
    const pruned = scan(code, true);
    expect(pruned).toEqual({ error: expect.stringContaining("Did you mean 'use cache'") });
    expect(pruned).toEqual(scan(code, false));
  });

  it('keeps working when parserOpts.startIndex shifts every offset', () => {
    const code = `const a = 1;\nexport async function b() { 'use cache'; return a; }`;
    const shifted = scan(code, true, { startIndex: 7 });
    expect('result' in shifted && shifted.result.functions).toHaveLength(1);
    expect(shifted).toEqual(scan(code, false, { startIndex: 7 }));
  });
});
