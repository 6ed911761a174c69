/**
 * Child processes cannot import TypeScript, so the runtime and handler sources are compiled into
 * `test/.out/handler-tests-runtime-<hash of the sources>/` (inside the repo, so `ioredis` and
 * React resolve from its node_modules). This tests the current sources without a full `npm run build` and without
 * racing other builds of `dist/`; test files running in parallel (and later runs) reuse one
 * compilation of the same sources. Type errors elsewhere in the runtime (work in progress) do not
 * stop it: tsc still emits, and a missing output fails the test.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);
let compiled: Promise<string> | undefined;

function sourcesHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry.name)) hash.update(path).update(readFileSync(path));
    }
  };
  walk(join(root, 'src/runtime'));
  return hash.digest('hex').slice(0, 16);
}

/** Compilations of older sources (not touched for an hour: no run is using them). */
function removeOldCompilations(keep: string): void {
  const dir = join(root, 'test/.out');
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (path === keep || !/^handler-tests-(runtime|compiling)-/.test(name)) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed meanwhile
    }
  }
}

/** Directory holding the compiled `src/runtime` as ESM (`index.js`, `handlers/redis.js`, ...). */
export function compiledRuntime(): Promise<string> {
  compiled ??= (async () => {
    const target = join(root, 'test/.out', `handler-tests-runtime-${sourcesHash()}`);
    if (existsSync(join(target, 'package.json'))) return target;
    mkdirSync(join(root, 'test/.out'), { recursive: true });
    const out = mkdtempSync(join(root, 'test/.out/handler-tests-compiling-'));
    const tsc = require.resolve('typescript/bin/tsc');
    const compiling = promisify(execFile)(
      process.execPath,
      [
        tsc,
        '--outDir',
        out,
        '--rootDir',
        join(root, 'src/runtime'),
        '--module',
        'NodeNext',
        '--moduleResolution',
        'NodeNext',
        '--target',
        'ES2022',
        '--strict',
        '--skipLibCheck',
        '--types',
        'node',
        '--jsx',
        'react-jsx',
        join(root, 'src/runtime/index.ts'),
        join(root, 'src/runtime/handlers/redis.ts'),
        join(root, 'src/runtime/handlers/fs.ts'),
      ],
      { cwd: root },
    );
    await compiling.catch((error: { stdout?: string }) => {
      if (!existsSync(join(out, 'handlers/redis.js')) || !existsSync(join(out, 'handlers/fs.js'))) {
        throw new Error(`compiling the runtime failed:\n${error.stdout ?? String(error)}`);
      }
    });
    // package.json last: its presence marks a complete compilation.
    writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
    try {
      renameSync(out, target);
    } catch {
      rmSync(out, { recursive: true, force: true }); // another test file got there first
    }
    removeOldCompilations(target);
    return target;
  })();
  return compiled;
}
