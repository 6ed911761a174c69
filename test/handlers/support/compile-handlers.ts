/**
 * Child processes cannot import TypeScript, so the runtime and handler sources are compiled once
 * per test run into `test/.out/` (inside the repo, so `ioredis` and React resolve from its
 * node_modules), with the options of tsconfig.json. This tests the current sources without a full
 * `npm run build` and without racing other builds of `dist/`. Type errors elsewhere in the runtime
 * (work in progress) do not stop it: tsc still emits, and a missing output fails the test.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);
let compiled: Promise<string> | undefined;

/** Directory holding the compiled `src/runtime` as ESM (`index.js`, `handlers/redis.js`, ...). */
export function compiledRuntime(): Promise<string> {
  compiled ??= (async () => {
    mkdirSync(join(root, 'test/.out'), { recursive: true });
    const out = mkdtempSync(join(root, 'test/.out/handlers-'));
    const tsc = require.resolve('typescript/bin/tsc');
    const compiling = promisify(execFile)(process.execPath, [
      tsc,
      '--outDir', out,
      '--rootDir', join(root, 'src/runtime'),
      '--module', 'NodeNext',
      '--moduleResolution', 'NodeNext',
      '--target', 'ES2022',
      '--strict',
      '--skipLibCheck',
      '--types', 'node',
      '--jsx', 'react-jsx',
      join(root, 'src/runtime/index.ts'),
      join(root, 'src/runtime/handlers/redis.ts'),
      join(root, 'src/runtime/handlers/fs.ts'),
    ], { cwd: root });
    await compiling.catch((error: { stdout?: string }) => {
      if (!existsSync(join(out, 'handlers/redis.js')) || !existsSync(join(out, 'handlers/fs.js'))) {
        throw new Error(`compiling the runtime failed:\n${error.stdout ?? String(error)}`);
      }
    });
    writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
    return out;
  })();
  return compiled;
}
