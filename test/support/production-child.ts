// Runs a script against the compiled runtime in a child process with NODE_ENV=production (React
// picks its production build when it is first loaded; vitest runs the development one). The
// script gets the compiled runtime's directory as process.argv[2] and prints what it finds.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compiledRuntime } from '../handlers/support/compile-handlers.js';
import { repoRoot } from './fixtures.js';

/** The script's stdout, trimmed; rejects with its stderr when it fails. */
export async function runInProductionBuild(name: string, script: string): Promise<string> {
  const dir = await compiledRuntime();
  const outDir = join(repoRoot, 'test/.out/runtime');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${name}-${process.pid}.mjs`);
  writeFileSync(file, script);
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=react-server', file, dir], {
    cwd: repoRoot,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  return stdout.trim();
}
