// docs/testing.md's Jest recipe, run as written: its files (taken from the page) in a project of
// their own (see project.ts), with the command of the page's `npm test` script.
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandsOf, filesOf, readDoc, REPO, section } from '../support/readme.js';
import { runNode, writeProject } from './project.js';

describe('docs/testing.md: the Jest recipe', () => {
  it('its test file passes with babel-jest in ESM mode', { timeout: 120_000 }, async () => {
    const recipe = section(readDoc('docs/testing.md'), 'Jest');
    expect(commandsOf(recipe)).toEqual(['npm install --save-dev jest @babel/core']);
    const files = filesOf(recipe);
    expect([...files.keys()]).toEqual([
      'package.json',
      'babel.config.json',
      'jest.config.js',
      'src/prices.js',
      'src/prices.test.js',
    ]);
    const project = writeProject('jest', files);
    // What `npm install --save-dev jest` puts where the script expects it.
    symlinkSync(path.join(REPO, 'node_modules/jest'), path.join(project, 'node_modules/jest'), 'dir');
    const script = (JSON.parse(files.get('package.json')!) as { scripts: { test: string } }).scripts.test;
    const [command, ...args] = script.split(' ');
    expect(command).toBe('node');
    const result = await runNode(args, project, 110_000);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/Tests:\s+2 passed, 2 total/);
  });
});
