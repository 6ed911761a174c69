// docs/testing.md's Vitest recipe, run as written: its files (taken from the page) in a project
// of their own under test/.out, which resolves this package (dist/, built by test/global-setup.ts)
// through node_modules like a user's.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesOf, readDoc, REPO, section } from '../support/readme.js';

describe('docs/testing.md: the Vitest recipe', () => {
  it('its test file passes in a project of its own', { timeout: 180_000 }, async () => {
    const files = filesOf(section(readDoc('docs/testing.md'), 'Vitest'));
    expect([...files.keys()]).toEqual(['vitest.config.ts', 'src/prices.ts', 'src/prices.test.ts']);
    const project = path.join(REPO, 'test/.out/recipes/vitest');
    rmSync(project, { recursive: true, force: true });
    mkdirSync(path.join(project, 'node_modules'), { recursive: true });
    // The package as an installed dependency; everything else resolves from the repository's node_modules.
    symlinkSync(REPO, path.join(project, 'node_modules/babel-plugin-use-cache'), 'dir');
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'recipe', type: 'module', private: true }),
    );
    for (const [name, code] of files) {
      mkdirSync(path.dirname(path.join(project, name)), { recursive: true });
      writeFileSync(path.join(project, name), code);
    }
    const vitest = path.join(REPO, 'node_modules/vitest/vitest.mjs');
    // A user's shell: nothing of this (outer) vitest run.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(VITEST|TINYPOOL|NODE_OPTIONS$|NODE_ENV$)/.test(key)),
    );
    const result = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [vitest, 'run', '--root', project], { cwd: project, env });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(output).toMatch(/Tests\s+.*2 passed/);
  });
});
