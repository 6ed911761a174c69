// What tools read off a diagnostic besides its message: `loc` and `code`, like Babel's own
// syntax errors (the message text and code frame are covered by fixtures/errors).
import { transformSync } from '@babel/core';
import { expect, it } from 'vitest';
import plugin from '../../src/plugin/index.js';

it('a diagnostic carries loc (line, column from 0) and a stable code', () => {
  const source = 'export function f() {\n  return async () => {\n    "use cache";\n    return this.x;\n  };\n}\n';
  let error: (Error & { loc?: unknown; code?: unknown }) | undefined;
  try {
    transformSync(source, {
      filename: '/project/src/a.js',
      root: '/project',
      configFile: false,
      babelrc: false,
      highlightCode: false,
      plugins: [plugin],
    });
  } catch (e) {
    error = e as typeof error;
  }
  expect(error?.loc).toEqual({ line: 4, column: 11 });
  expect(error?.code).toBe('USE_CACHE_E002');
  expect(error?.message.split('\n')[0]).toMatch(/^\/project\/src\/a\.js: \[use-cache\/E002\] .* \(4:11\)$/);
});
