// Handler figures: runs the handlers engineer's bench/handlers.mjs (memory, Redis, fs; hit, miss,
// set and revalidate at 100 and 100,000 entries), reads the rows it writes to
// bench/.out/handlers.json and turns them into figures: each cost at 100,000 entries against the
// same cost at 100. Redis runs against a redis-server this group starts on a free loopback port
// (skipped, with a row saying so, when redis-server is not installed).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { firstLine, outDir, repoRoot } from '../lib/dist.mjs';
import { emit, figure, notAvailable, progress } from '../lib/report.mjs';

const script = path.join(repoRoot, 'bench/handlers.mjs');
const resultFile = path.join(outDir, 'handlers.json');
const SMALL = 100;
const LARGE = Number(process.env.BENCH_HANDLER_ENTRIES || 100_000);
const HANDLERS = ['memory', 'redis', 'fs'];
const OPS = [
  { key: 'hitUs', label: 'hit (get + getExpiration)', target: null },
  { key: 'missUs', label: 'miss (get)', target: null },
  { key: 'setUs', label: 'set', target: null },
  { key: 'revalidateUs', label: 'revalidate (updateTags + getExpiration)', target: 1.5 },
];
const rowName = (handler, op) => `${handler} handler ${op.label}, ${LARGE.toLocaleString('en')} entries ÷ ${SMALL}`;
const TIMEOUT_MS = Number(process.env.BENCH_HANDLER_TIMEOUT_MS || 240_000);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startRedis() {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0) return undefined;
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  // Wait until it answers.
  for (let i = 0; i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const ping = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' });
    if (ping.stdout?.trim() === 'PONG' || (ping.error && i >= 5)) break;
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

function runScript(only, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, '--entries', `${SMALL},${LARGE}`, '--only', only.join(',')], {
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
    for (const h of HANDLERS) for (const op of OPS) emit(notAvailable(rowName(h, op), 'µs', op.target, 'bench/handlers.mjs does not exist'));
    return;
  }
  const redis = await startRedis();
  const only = redis ? HANDLERS : HANDLERS.filter((h) => h !== 'redis');
  if (!redis) {
    process.stdout.write('redis-server not installed: Redis handler figures skipped\n');
    for (const op of OPS) emit(notAvailable(rowName('redis', op), 'µs', op.target, 'skipped: redis-server not installed'));
  }
  rmSync(resultFile, { force: true });
  let result;
  try {
    result = await runScript(only, { ...process.env, ...(redis ? { REDIS_URL: redis.url } : {}) });
  } finally {
    redis?.stop();
  }
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
  for (const h of only) {
    const small = rows.find((r) => r.handler === h && r.entries === SMALL);
    const large = rows.find((r) => r.handler === h && r.entries === LARGE);
    for (const op of OPS) {
      if (small && large && typeof small[op.key] === 'number' && typeof large[op.key] === 'number') {
        emit(figure({ name: rowName(h, op), value: large[op.key], unit: 'µs', baseline: small[op.key], target: op.target }));
      } else {
        emit(notAvailable(rowName(h, op), 'µs', op.target, small && large ? `${op.key} not reported` : why));
      }
    }
  }
  progress('handler figures done');
}

await main();
