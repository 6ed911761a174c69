// Handler figures: runs the handlers engineer's bench/handlers.mjs (memory, Redis, fs; hit, miss,
// set and revalidate at 100 and 100,000 entries; fs at 10,000 by default), reads the rows it writes to
// bench/.out/handlers.json and turns them into figures: each cost at 100,000 entries against the
// same cost at 100. Redis runs against a redis-server this group starts on a free loopback port
// (skipped, with a row saying so, when redis-server is not installed).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { firstLine, outDir, repoRoot } from '../lib/dist.mjs';
import { startRedis } from '../lib/redis.mjs';
import { emit, figure, notAvailable, progress } from '../lib/report.mjs';

const script = path.join(repoRoot, 'bench/handlers.mjs');
const resultFile = path.join(outDir, 'handlers.json');
const SMALL = 100;
// Writing 100,000 entry files takes the fs handler minutes on this machine (one file per entry,
// each written atomically): the fs figures use 10,000 entries unless BENCH_FS_ENTRIES says more.
const LARGE = {
  memory: Number(process.env.BENCH_HANDLER_ENTRIES || 100_000),
  redis: Number(process.env.BENCH_HANDLER_ENTRIES || 100_000),
  fs: Number(process.env.BENCH_FS_ENTRIES || 10_000),
};
const HANDLERS = ['memory', 'redis', 'fs'];
const OPS = [
  { key: 'hitUs', label: 'hit (get + getTagTimes)', target: null },
  { key: 'missUs', label: 'miss (get)', target: null },
  { key: 'setUs', label: 'set', target: null },
  { key: 'revalidateUs', label: 'revalidate (updateTags + getTagTimes)', target: 1.5 },
];
const rowName = (handler, op) =>
  `${handler} handler ${op.label}, ${LARGE[handler].toLocaleString('en')} entries ÷ ${SMALL}`;
const TIMEOUT_MS = Number(process.env.BENCH_HANDLER_TIMEOUT_MS || 180_000);

function runScript(only, large, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, '--entries', `${SMALL},${large}`, '--only', only.join(',')], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

async function main() {
  if (!existsSync(script)) {
    for (const h of HANDLERS)
      for (const op of OPS) emit(notAvailable(rowName(h, op), 'µs', op.target, 'bench/handlers.mjs does not exist'));
    return;
  }
  const redis = await startRedis();
  const only = redis ? HANDLERS : HANDLERS.filter((h) => h !== 'redis');
  if (!redis) {
    process.stdout.write('redis-server not installed: Redis handler figures skipped\n');
    for (const op of OPS)
      emit(notAvailable(rowName('redis', op), 'µs', op.target, 'skipped: redis-server not installed'));
  }
  // One run of bench/handlers.mjs per entry count (memory and Redis together, fs alone).
  const batches = [...new Set(only.map((h) => LARGE[h]))].map((large) => ({
    large,
    handlers: only.filter((h) => LARGE[h] === large),
  }));
  try {
    for (const batch of batches) {
      rmSync(resultFile, { force: true });
      const result = await runScript(batch.handlers, batch.large, {
        ...process.env,
        ...(redis ? { REDIS_URL: redis.url } : {}),
      });
      let rows = [];
      try {
        rows = JSON.parse(readFileSync(resultFile, 'utf8')).rows ?? [];
      } catch {
        // no result file: reported below
      }
      const why =
        result.signal === 'SIGKILL'
          ? `bench/handlers.mjs did not finish within ${TIMEOUT_MS / 1000} s`
          : `bench/handlers.mjs exited ${result.code}: ${firstLine(result.stderr.trim().split('\n').pop() || '')}`;
      for (const h of batch.handlers) {
        const small = rows.find((r) => r.handler === h && r.entries === SMALL);
        const large = rows.find((r) => r.handler === h && r.entries === batch.large);
        for (const op of OPS) {
          if (small && large && typeof small[op.key] === 'number' && typeof large[op.key] === 'number') {
            // The two entry counts are measured minutes apart; when bench/handlers.mjs reports the
            // medium's cheapest call (Redis PING, fs stat, a resolved promise) from the same
            // batches, the ratio is taken in units of it, so a change of machine load between the
            // two runs cancels out.
            const normalised = h !== 'memory' && small.baselineUs > 0 && large.baselineUs > 0; // a resolved promise is too small a unit
            const ratio = normalised
              ? large[op.key] / large.baselineUs / (small[op.key] / small.baselineUs)
              : large[op.key] / small[op.key];
            emit(
              figure({
                name: rowName(h, op),
                value: large[op.key],
                unit: 'µs',
                baseline: small[op.key],
                ratio,
                target: op.target,
                note: normalised
                  ? `ratio in units of the medium's cheapest call: ${large.baselineUs.toFixed(1)} vs ${small.baselineUs.toFixed(1)} µs`
                  : undefined,
              }),
            );
          } else {
            emit(notAvailable(rowName(h, op), 'µs', op.target, small && large ? `${op.key} not reported` : why));
          }
        }
      }
    }
  } finally {
    redis?.stop();
  }
  progress('handler figures done');
}

await main();
