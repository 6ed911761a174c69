// The built CLI and plugin (dist/), rebuilt when src/cli or src/plugin is newer, and a way to run
// the binary. Shared by test/cli and test/robustness; builds are serialised across vitest workers.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// USE_CACHE_TEST_DIST: test an already built dist/ elsewhere (never rebuilt by the tests).
const OTHER_DIST = process.env.USE_CACHE_TEST_DIST;
const DIST = OTHER_DIST ? path.resolve(OTHER_DIST) : path.join(ROOT, 'dist');
export const CLI = path.join(DIST, 'cli/index.js');
export const PLUGIN = path.join(DIST, 'plugin/index.js');
const LOCK = path.join(ROOT, 'test/.out/build.lock');

function newestMtime(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  if (!existsSync(CLI) || !existsSync(PLUGIN)) return true;
  const built = Math.min(statSync(CLI).mtimeMs, statSync(PLUGIN).mtimeMs);
  return Math.max(newestMtime(path.join(ROOT, 'src/cli')), newestMtime(path.join(ROOT, 'src/plugin'))) > built;
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** `npm run build` when dist/ is missing or older than the sources (CI builds before testing). */
export function ensureBuilt(): void {
  if (OTHER_DIST || !isStale()) return;
  mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (existsSync(LOCK) && Date.now() - statSync(LOCK).mtimeMs > 120_000)
        rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`could not take ${LOCK} to build dist/`);
      sleep(250);
    }
  }
  try {
    if (isStale()) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`npm run build failed:\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`, { cause: error });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface CliOptions {
  cwd?: string;
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  timeout?: number;
}

/** Runs the built binary in a new process (synchronously). */
export function runCli(args: string[], options: CliOptions = {}): CliResult {
  const started = performance.now();
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error && (result.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw result.error;
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout,
    stderr: result.stderr,
    ms: performance.now() - started,
  };
}

/** The same, without blocking the test's event loop (several runs at once). */
export function runCliAsync(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...options.env },
      timeout: options.timeout ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr, ms: performance.now() - started }));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** A stack trace line (`    at fn (file:1:2)`): never in a diagnostic the CLI prints. */
export const STACK_LINE = /^\s+at .+[:(]/m;
