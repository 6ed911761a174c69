// The built CLI and plugin (dist/, built before the run by test/global-setup.ts) and a way to run
// the binary. Shared by test/cli and test/robustness.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// USE_CACHE_TEST_DIST: test an already built dist/ elsewhere (never rebuilt by the tests).
const OTHER_DIST = process.env.USE_CACHE_TEST_DIST;
const DIST = OTHER_DIST ? path.resolve(OTHER_DIST) : path.join(ROOT, 'dist');
export const CLI = path.join(DIST, 'cli/index.js');
export const PLUGIN = path.join(DIST, 'plugin/index.js');
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
