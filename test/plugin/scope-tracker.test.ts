// The plugin inserts bindings ($$cache_0, forwarders) that later plugins look up in Babel's scope
// tracker; preset-typescript warns on every compile when an exported name is missing from it.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileFixture, listFixtures } from '../support/fixtures.js';

const compiling = listFixtures().filter((f) => !existsSync(join(f.dir, 'error.txt')));

describe('lifted bindings are registered for the plugins that run after ours', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(compiling.map((f) => [`${f.group}/${f.name}`, f] as const))(
    '%s: no scope-tracker warning from preset-typescript',
    async (_name, fixture) => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      await compileFixture(fixture, { presets: [['@babel/preset-typescript', { isTSX: true, allExtensions: true }]] });
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([]);
    },
  );
});
