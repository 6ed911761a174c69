// A recipe's files (taken from its docs page) written into a project of their own under test/.out,
// which resolves this package (dist/, built by test/global-setup.ts) through node_modules like a
// user's project; everything else resolves from the repository's node_modules. Its test command
// runs in a clean environment: nothing of the outer vitest run leaks into it.
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../support/readme.js';

export interface RunResult {
  status: number | null;
  /** stdout and stderr together, for assertions and failure messages. */
  output: string;
}

/** Writes `files` (relative paths) into a fresh test/.out/recipes/<name>; returns its folder. */
export function writeProject(name: string, files: ReadonlyMap<string, string>): string {
  const project = path.join(REPO, 'test/.out/recipes', name);
  rmSync(project, { recursive: true, force: true });
  mkdirSync(path.join(project, 'node_modules'), { recursive: true });
  // The package as an installed dependency.
  symlinkSync(REPO, path.join(project, 'node_modules/babel-plugin-use-cache'), 'dir');
  if (!files.has('package.json')) {
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name, type: 'module', private: true }));
  }
  for (const [file, code] of files) {
    mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    writeFileSync(path.join(project, file), code);
  }
  return project;
}

/** A user's shell: no VITEST_* / TINYPOOL_* variables, no NODE_OPTIONS or NODE_ENV of this run. */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(VITEST|TINYPOOL|NODE_OPTIONS$|NODE_ENV$)/.test(key)),
  );
}

/** Runs `node <args>` in `cwd`; killed after `timeoutMs`. */
export function runNode(args: string[], cwd: string, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, env: userEnv() });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}
