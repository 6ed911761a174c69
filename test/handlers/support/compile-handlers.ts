/**
 * Child processes cannot import TypeScript, so the handler sources are compiled once per test run
 * into `test/.out/` (inside the repo, so `ioredis` resolves from its node_modules). This tests the
 * current sources without depending on a full `npm run build` of the whole package.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);
let compiled: Promise<string> | undefined;

/** Directory holding `redis.js`, `fs.js` (and what they import) as ESM. */
export function compiledHandlers(): Promise<string> {
  compiled ??= (async () => {
    mkdirSync(join(root, 'test/.out'), { recursive: true });
    const out = mkdtempSync(join(root, 'test/.out/handlers-'));
    const tsc = require.resolve('typescript/bin/tsc');
    await promisify(execFile)(process.execPath, [
      tsc,
      '--outDir', out,
      '--rootDir', join(root, 'src/runtime'),
      '--module', 'NodeNext',
      '--moduleResolution', 'NodeNext',
      '--target', 'ES2022',
      '--strict',
      '--skipLibCheck',
      '--types', 'node',
      join(root, 'src/runtime/handlers/redis.ts'),
      join(root, 'src/runtime/handlers/fs.ts'),
    ], { cwd: root });
    writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
    return join(out, 'handlers');
  })();
  return compiled;
}
