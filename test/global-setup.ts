// Vitest's globalSetup: builds dist/ once, before any test file runs, when it is missing or older
// than what it is built from. Tests that need the built package (the CLI, loading the plugin by
// its package name, the example app, the starter project) rely on it; the others import src/.
// USE_CACHE_TEST_DIST names a dist/ built elsewhere, which is then tested as it is.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = path.join(ROOT, 'dist');
const INPUTS = ['src', 'scripts/build.mjs', 'tsconfig.build.json', 'tsconfig.cjs.json', 'package.json'];

/** Files under `dir` (recursively), relative to it. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => statSync(path.join(dir, f)).isFile());
}

function newestMtime(entry: string): number {
  const full = path.join(ROOT, entry);
  if (!existsSync(full)) return 0;
  if (statSync(full).isFile()) return statSync(full).mtimeMs;
  return Math.max(0, ...files(full).map((f) => statSync(path.join(full, f)).mtimeMs));
}

/** Why dist/ must be rebuilt, or undefined when it is current. */
function staleness(): string | undefined {
  const sources = files(path.join(ROOT, 'src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const expected = sources.map((f) => f.replace(/\.ts$/, '.js'));
  const built = new Set(files(DIST).filter((f) => f.endsWith('.js') && !f.startsWith(`cjs${path.sep}`)));
  const missing = expected.find((f) => !built.has(f));
  if (missing) return `dist/${missing} is missing`;
  const extra = [...built].find((f) => !expected.includes(f));
  if (extra) return `dist/${extra} has no source`;
  const oldestOutput = Math.min(...expected.map((f) => statSync(path.join(DIST, f)).mtimeMs));
  const changed = INPUTS.find((entry) => newestMtime(entry) > oldestOutput);
  return changed ? `${changed} changed since the last build` : undefined;
}

export function setup(): void {
  if (process.env.USE_CACHE_TEST_DIST) return;
  const reason = staleness();
  if (reason === undefined) return;
  console.log(`building dist/ (${reason})`);
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
}
