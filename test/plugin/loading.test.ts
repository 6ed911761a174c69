// The built plugin loads both ways Babel users load plugins: `require` (CommonJS build: Jest,
// transformSync, babel.config.js with a plugin name) and `import` (ESM build: transformAsync,
// babel-loader). `npm test` builds dist/ first; run `npm run build` before running this alone.
import { transformAsync, transformSync } from '@babel/core';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
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

beforeAll(() => {
  if (!existsSync(join(repoRoot, 'dist/cjs/plugin/index.js'))) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
  }
}, 300_000);

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
