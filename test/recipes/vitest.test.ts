// docs/testing.md's Vitest recipe, run as written: its files (taken from the page) in a project
// of their own (see project.ts).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesOf, readDoc, REPO, section } from '../support/readme.js';
import { runNode, writeProject } from './project.js';

describe('docs/testing.md: the Vitest recipe', () => {
  it('its test file passes in a project of its own', { timeout: 180_000 }, async () => {
    const files = filesOf(section(readDoc('docs/testing.md'), 'Vitest'));
    expect([...files.keys()]).toEqual(['vitest.config.ts', 'src/prices.ts', 'src/prices.test.ts']);
    const project = writeProject('vitest', files);
    const vitest = path.join(REPO, 'node_modules/vitest/vitest.mjs');
    const result = await runNode([vitest, 'run', '--root', project], project, 170_000);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/Tests\s+.*2 passed/);
  });
});
