// Where the compiler's fixtures are and what each case says about itself, shared by the tests
// (test/support/fixtures.ts) and the compiler benchmark (bench/groups/compiler.mjs). Plain
// JavaScript so that the benchmark loads it without a TypeScript step; types in fixture-files.d.mts.
//
//   fixtures/<group>/options.json          plugin options of every case in the group
//   fixtures/<group>/<case>/input.{js,ts,tsx}
//   fixtures/<group>/<case>/options.json   plugin options of the case, over the group's (as in
//                                          Babel's own fixture runner)
//   fixtures/<group>/<case>/harness.json   how the test compiles it, not the plugin's business:
//                                          { "filename": path Babel sees, relative to the repo }
//   fixtures/<group>/<case>/output.js | error.txt [+ metadata.json]   the reviewed expectation
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const fixturesDir = join(repoRoot, 'fixtures');

const INPUTS = ['input.tsx', 'input.ts', 'input.js'];
const HARNESS_KEYS = new Set(['filename']);

function readJson(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

function readHarness(dir) {
  const file = join(dir, 'harness.json');
  const harness = readJson(file);
  for (const key of Object.keys(harness))
    if (!HARNESS_KEYS.has(key)) throw new Error(`${file}: unknown setting "${key}" (known: ${[...HARNESS_KEYS]})`);
  return harness;
}

/** Every fixture case, by group then case name. */
export function listFixtures() {
  const result = [];
  for (const group of readdirSync(fixturesDir).sort()) {
    const groupDir = join(fixturesDir, group);
    if (!statSync(groupDir).isDirectory()) continue;
    const groupOptions = readJson(join(groupDir, 'options.json'));
    for (const name of readdirSync(groupDir).sort()) {
      const dir = join(groupDir, name);
      const input = INPUTS.find((f) => existsSync(join(dir, f)));
      if (!input) continue;
      const options = { ...groupOptions, ...readJson(join(dir, 'options.json')) };
      const { filename } = readHarness(dir);
      result.push({ group, name, dir, inputFile: join(dir, input), options, filename });
    }
  }
  return result;
}
