// Builds dist/: the ESM build of everything, plus a CommonJS build of the Babel plugin so that
// `require('babel-plugin-use-cache')` (Jest, Babel's transformSync, older configs) works too.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const run = (project) => execFileSync(process.execPath, [tsc, '-p', project], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
run('tsconfig.build.json');
run('tsconfig.cjs.json');
mkdirSync('dist/cjs', { recursive: true });
writeFileSync('dist/cjs/package.json', JSON.stringify({ type: 'commonjs' }) + '\n');
chmodSync('dist/cli/index.js', 0o755);
