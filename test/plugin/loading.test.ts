// The built plugin loads both ways Babel users load plugins: `require` (CommonJS build: Jest,
// transformSync, babel.config.js with a plugin name) and `import` (ESM build: transformAsync,
// babel-loader). dist/ is built before the run (test/global-setup.ts).
import { transformAsync, transformSync } from '@babel/core';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/plugin/index.js';
import { repoRoot } from '../support/fixtures.js';

const source = `export async function getUser(id) {\n  'use cache';\n  return id;\n}\n`;
const options = (p: unknown) => ({
  filename: join(repoRoot, 'src/app/user.js'),
  root: repoRoot,
  configFile: false as const,
  babelrc: false,
  plugins: [p as string],
});

describe('loading the built plugin', () => {
  const expected = () => transformSync(source, options(plugin))!.code;

  it('require(): the CommonJS build through transformSync', () => {
    const required = createRequire(join(repoRoot, 'package.json'))('babel-plugin-use-cache') as { default: unknown };
    expect(transformSync(source, options(required.default ?? required))!.code).toBe(expected());
  });

  it('a plugin name in a Babel config (Babel resolves and loads it)', () => {
    const result = transformSync(source, { ...options('babel-plugin-use-cache'), cwd: repoRoot });
    expect(result!.code).toBe(expected());
  });

  it('import(): the ESM build through transformAsync', async () => {
    const imported = (await import('babel-plugin-use-cache')) as { default: unknown };
    expect((await transformAsync(source, options(imported.default)))!.code).toBe(expected());
  });
});
