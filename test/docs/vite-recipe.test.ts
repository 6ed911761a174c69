// docs/vite.md's files are examples/vite's files, byte for byte: the example runs them (built by
// Vite, driven in Chromium by test/example/vite.test.ts), so what the page tells a reader to copy
// is what is tested. Its install lines name the example's dependencies.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandsOf, filesOf, readDoc, REPO } from '../support/readme.js';

const EXAMPLE = path.join(REPO, 'examples/vite');
const page = readDoc('docs/vite.md');

describe('docs/vite.md', () => {
  it("shows the example's files as they are", () => {
    const files = filesOf(page);
    expect([...files.keys()]).toEqual(['use-cache.js', 'vite.config.js', 'src/framework/cache.js']);
    for (const [name, code] of files) expect(code, name).toBe(readFileSync(path.join(EXAMPLE, name), 'utf8'));
  });

  it("installs what the example's package.json lists, and the example's entry runs requests in a scope", () => {
    const manifest = JSON.parse(readFileSync(path.join(EXAMPLE, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(commandsOf(page)).toEqual([
      `npm install ${Object.keys(manifest.dependencies).join(' ')}`,
      `npm install --save-dev ${Object.keys(manifest.devDependencies).join(' ')}`,
      'npm run demo:vite',
      'PORT=0 npm run demo:vite',
      'npm run demo:vite -- --dev',
    ]);
    const entry = readFileSync(path.join(EXAMPLE, 'src/framework/entry.rsc.jsx'), 'utf8');
    expect(entry).toMatch(/^(\/\/.*\n)*import '\.\/cache\.js';/);
    expect(entry).toContain('fetch: (request) => withRequestScope(() => handle(request)),');
  });

  it('the example needs nothing `npm ci` at the root does not install', () => {
    const root = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    const manifest = JSON.parse(readFileSync(path.join(EXAMPLE, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const needed = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)];
    const missing = needed.filter((name) => name !== 'babel-plugin-use-cache' && !(name in root.devDependencies));
    expect(missing).toEqual([]);
  });
});
