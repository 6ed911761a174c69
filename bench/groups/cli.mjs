// CLI start-up: `use-cache transform <small file>` against `node -e ""`, each spawned afresh,
// interleaved, median wall time of N runs (a user waits for the whole process).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { distPath, outDir, repoRoot, firstLine } from '../lib/dist.mjs';
import { median } from '../lib/measure.mjs';
import { emit, figure, notAvailable } from '../lib/report.mjs';

const quick = process.env.BENCH_QUICK === '1';
const NAME = 'CLI `use-cache transform` small file ÷ `node -e ""`';

function main() {
  const cli = distPath('cli/index.js');
  if (!existsSync(cli)) {
    emit(notAvailable(NAME, 'ms', null, 'dist/cli/index.js not built'));
    return;
  }
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'cli-input.tsx');
  writeFileSync(
    file,
    [
      "import { db } from './db';",
      'export async function getUser(id: string) {',
      "  'use cache';",
      '  return db.user(id);',
      '}',
      '',
    ].join('\n'),
  );
  const run = (args) => {
    const start = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8' });
    const ms = performance.now() - start;
    if (r.status !== 0) throw new Error(`exit ${r.status}: ${(r.stderr || '').trim().split('\n')[0]}`);
    return ms;
  };
  const cliArgs = [cli, 'transform', path.relative(repoRoot, file)];
  run(cliArgs);
  run(['-e', '']);
  const runs = quick ? 5 : 7;
  const a = [];
  const b = [];
  const ratios = [];
  for (let i = 0; i < runs; i++) {
    const x = run(cliArgs);
    const y = run(['-e', '']);
    a.push(x);
    b.push(y);
    ratios.push(x / y);
  }
  emit(figure({ name: NAME, value: median(a), unit: 'ms', baseline: median(b), ratio: median(ratios), target: null }));
}

try {
  main();
} catch (error) {
  emit(notAvailable(NAME, 'ms', null, `failed: ${firstLine(error)}`));
}
