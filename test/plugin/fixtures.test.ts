// Every fixture under fixtures/<group>/<case>: input -> output.js (or error.txt), plus
// metadata.json when the case has one (layout: test/support/fixture-files.mjs).
// `UPDATE_FIXTURES=1 npx vitest run test/plugin/fixtures.test.ts` rewrites the expected files and
// deletes the stale one (output.js of a case that now fails, error.txt of one that now compiles);
// each rewritten file must be read and checked before it is committed.
// The suite runs twice: with Babel's private caches (the fast path) and with Babel's public API
// only (src/plugin/babel-internals.ts), which must give byte-identical outputs and the same errors.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import plugin from '../../src/plugin/index.js';
import { compileFixture, listFixtures, normaliseError, withoutBabelInternals } from '../support/fixtures.js';

const update = process.env.UPDATE_FIXTURES === '1';
const fixtures = listFixtures();
const groups = [...new Set(fixtures.map((f) => f.group))];

const modes = [
  { name: 'fast path', plugin, writes: update },
  // Update mode writes what the fast path produces; the public-API run is then held to it.
  { name: 'public Babel API only', plugin: withoutBabelInternals(plugin), writes: false },
];

describe.each(modes)('$name', ({ plugin: compiler, writes }) => {
  describe.each(groups)('fixtures/%s', (group) => {
    it.each(fixtures.filter((f) => f.group === group).map((f) => [f.name, f] as const))(
      '%s',
      async (_name, fixture) => {
        const outputFile = join(fixture.dir, 'output.js');
        const errorFile = join(fixture.dir, 'error.txt');
        const metadataFile = join(fixture.dir, 'metadata.json');
        let code: string | null | undefined;
        let metadata: unknown;
        let error: string | undefined;
        try {
          const result = await compileFixture(fixture, { plugin: compiler });
          code = result?.code;
          metadata = (result?.metadata as { serverReferences?: unknown } | undefined)?.serverReferences;
        } catch (e) {
          error = normaliseError(e);
        }
        if (writes) {
          // A case that now fails loses its output and metadata; one that now compiles loses its error.
          if (error !== undefined) {
            writeFileSync(errorFile, error + '\n');
            rmSync(outputFile, { force: true });
            rmSync(metadataFile, { force: true });
          } else {
            writeFileSync(outputFile, code + '\n');
            rmSync(errorFile, { force: true });
            if (existsSync(metadataFile)) writeFileSync(metadataFile, JSON.stringify(metadata, null, 2) + '\n');
          }
          return;
        }
        if (existsSync(errorFile)) {
          expect(error, 'expected a compile error').toBeDefined();
          expect(error).toBe(readFileSync(errorFile, 'utf8').trimEnd());
          return;
        }
        if (error !== undefined) throw new Error(`unexpected compile error: ${error}`);
        expect(code + '\n').toBe(readFileSync(outputFile, 'utf8'));
        if (existsSync(metadataFile)) expect(metadata).toEqual(JSON.parse(readFileSync(metadataFile, 'utf8')));
      },
    );
  });
});
