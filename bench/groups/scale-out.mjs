// Scale-out figures: one fill across processes (leases), what a lease costs a miss, and what
// compression costs and saves.
//
// - Single flight: 2 server processes (test/handlers/support/runtime-peer.mjs on the built
//   runtime) each make 100 concurrent calls of a slow cached function (50 ms body) on one cold
//   key; the figure is the number of body executions in total, averaged over 10 keys (target 1).
//   The baseline is the same with leases off (`leaseMs: false`): one execution per process.
//   On a standalone redis-server, a 3-master Redis Cluster (scripts/redis-cluster.mjs) and a
//   shared filesystem directory.
// - Lease cost: a miss through the runtime (get, claim, get again, compute, render) with leases
//   against the same handler without them, wall time (the extra cost is round trips), one call
//   at a time, each on a new key; the set and the release that follow are not on the caller's path.
// - Compression: a 100 KB Flight payload (a rendered product list) read (get) and stored (set)
//   through the Redis handler with `compress: true` against without; and the bytes it stores
//   against the raw ones.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { loadDist, distDir, repoRoot, firstLine } from '../lib/dist.mjs';
import { compare } from '../lib/measure.mjs';
import { emit, figure, notAvailable, progress } from '../lib/report.mjs';

const quick = process.env.BENCH_QUICK === '1';
const PEER = path.join(repoRoot, 'test/handlers/support/runtime-peer.mjs');
const CALLS = 100;
const KEYS = quick ? 3 : 10;
const BODY_MS = 50;

/** A runtime-peer process over the built runtime, driven by JSON lines. */
async function startPeer(kind, options) {
  const child = spawn(
    process.execPath,
    ['--conditions', 'react-server', PEER, path.join(distDir, 'runtime'), kind, JSON.stringify(options)],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  const waiting = new Map();
  let nextId = 1;
  let ready;
  const started = new Promise((resolve) => (ready = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line);
    if (message.ready) return ready();
    const pending = waiting.get(message.id);
    waiting.delete(message.id);
    if (message.error !== undefined) pending?.reject(new Error(message.error));
    else pending?.resolve(message.result);
  });
  await started;
  return {
    call(op, args = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.stdin.write(JSON.stringify({ id, op, ...args }) + '\n');
      });
    },
    async close() {
      const exited = once(child, 'exit');
      child.stdin.write(JSON.stringify({ id: 0, op: 'close' }) + '\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Mean body executions per cold key when 2 processes x CALLS concurrent calls hit it. */
async function executionsPerKey(kind, options) {
  const peers = await Promise.all([0, 1].map(() => startPeer(kind, options)));
  try {
    await Promise.all(peers.map((p) => p.call('setSlowMs', { ms: BODY_MS })));
    const count = async () => (await Promise.all(peers.map((p) => p.call('slowBodies')))).reduce((a, b) => a + b, 0);
    const before = await count();
    for (let k = 0; k < KEYS; k++) {
      const product = Date.now() * 100 + k;
      await Promise.all(peers.map((p) => p.call('burst', { product, count: CALLS })));
    }
    return ((await count()) - before) / KEYS;
  } finally {
    await Promise.all(peers.map((p) => p.close()));
  }
}

function startRedis() {
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') break;
    spawnSync('sleep', ['0.05']);
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

const singleFlightName = (where) => `cold-call executions, 2 processes × ${CALLS} concurrent calls, ${where}`;

async function singleFlight(where, kind, options) {
  const withLease = await executionsPerKey(kind, { ...options, prefix: `bench-lease-${Date.now()}:` });
  const without = await executionsPerKey(kind, { ...options, leaseMs: false, prefix: `bench-nolease-${Date.now()}:` });
  emit(
    figure({
      name: singleFlightName(where),
      value: withLease,
      unit: 'executions',
      baseline: 1,
      ratio: withLease,
      target: 1,
      note: `without leases: ${without}`,
    }),
  );
}

async function leaseCost(runtime, makeHandler, where) {
  const { cacheFunction, configureCache, resetCache } = runtime;
  // Two cache kinds, one handler each: the same function body, with and without leases.
  const leased = makeHandler(true);
  const plain = makeHandler(false);
  configureCache({ handlers: { default: plain, leased } });
  let n = 0;
  const body = async (i) => ({ i, name: `item ${i}` });
  const withLease = cacheFunction(`bench-lease-cost-${where}-on`, 'leased', body);
  const without = cacheFunction(`bench-lease-cost-${where}-off`, 'default', body);
  const r = await compare(
    () => withLease(++n),
    () => without(++n),
    { clock: 'wall', batches: quick ? 7 : 25, batchMs: 30 },
  );
  emit(
    figure({
      name: `miss with a lease ÷ miss without, ${where}`,
      value: r.value * 1000,
      unit: 'µs',
      baseline: r.baseline * 1000,
      ratio: r.ratio,
      target: 2,
      note: `quartiles of the paired ratios ${r.spread.map((x) => x.toFixed(2)).join('–')}`,
    }),
  );
  await Promise.all([leased.close(), plain.close()]);
  resetCache();
}

async function componentPayload() {
  const { renderToReadableStream } = await import('react-server-dom-webpack/server');
  const { createElement: h } = await import('react');
  const items = Array.from({ length: 290 }, (_, i) =>
    h(
      'li',
      { key: i, className: 'product-card', 'data-id': i },
      h('a', { href: `/products/${i}` }, h('img', { src: `/img/${i}.jpg`, alt: `Product ${i}` }), `Product ${i}`),
      h('span', { className: 'price' }, `${(i * 37) % 100}.99`),
      h('p', null, `In stock: ${(i * 13) % 50}. Ships in ${1 + (i % 5)} days.`),
    ),
  );
  const stream = renderToReadableStream(h('ul', { className: 'products' }, items), {});
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function compression(redisModule, url) {
  const value = await componentPayload();
  const entry = { value, tags: ['products'], timestamp: Date.now(), stale: 300, revalidate: 900, expire: 3600 };
  const plain = redisModule.createRedisHandler({ url, prefix: 'bench-plain:' });
  const zipped = redisModule.createRedisHandler({ url, prefix: 'bench-zip:', compress: true });
  await Promise.all([plain.set('page', entry), zipped.set('page', entry)]);
  const kb = (value.byteLength / 1024).toFixed(0);
  const batches = quick ? 7 : 25;
  /** @type {[string, (h: typeof plain) => () => Promise<unknown>][]} */
  const ops = [
    ['get (a hit: read + inflate)', (h) => () => h.get('page')],
    ["set (deflate + write, off the caller's path)", (h) => () => h.set('page', entry)],
  ];
  for (const [op, run] of ops) {
    const r = await compare(run(zipped), run(plain), { clock: 'wall', batches, batchMs: 40 });
    emit(
      figure({
        name: `${op} of a ${kb} KB component payload, compress: true ÷ off (Redis)`,
        value: r.value * 1000,
        unit: 'µs',
        baseline: r.baseline * 1000,
        ratio: r.ratio,
        target: null,
      }),
    );
  }
  const stored = async (prefix) => plain.client.strlen(`${prefix}e:page`);
  const [zippedBytes, plainBytes] = [await stored('bench-zip:'), await stored('bench-plain:')];
  emit(
    figure({
      name: `bytes stored for a ${kb} KB component payload, compress: true ÷ off (Redis)`,
      value: zippedBytes,
      unit: 'bytes',
      baseline: plainBytes,
      target: null,
    }),
  );
  await Promise.all([plain.close(), zipped.close()]);
}

async function main() {
  const runtime = await loadDist('runtime/index.js', ['cacheFunction', 'configureCache', 'resetCache']);
  const redisModule = await loadDist('runtime/handlers/redis.js', ['createRedisHandler']);
  const fsModule = await loadDist('runtime/handlers/fs.js', ['createFsHandler']);
  const missing = runtime.missing ?? redisModule.missing ?? fsModule.missing;
  if (missing) {
    emit(notAvailable(singleFlightName('standalone Redis'), 'executions', 1, missing));
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-scale-out-'));
  const redis = startRedis();
  let cluster;
  try {
    await singleFlight('shared fs directory', 'fs', { dir: path.join(dir, 'shared') });
    progress('single flight on fs done');
    if (redis) {
      await singleFlight('standalone Redis', 'redis', { url: redis.url });
      progress('single flight on Redis done');
      try {
        const { startCluster } = await import(path.join(repoRoot, 'scripts/redis-cluster.mjs'));
        cluster = await startCluster(path.join(dir, 'cluster'));
        await singleFlight('Redis Cluster (3 masters)', 'redis', { cluster: cluster.urls });
        progress('single flight on the cluster done');
      } catch (error) {
        emit(notAvailable(singleFlightName('Redis Cluster (3 masters)'), 'executions', 1, firstLine(error)));
      }
      await leaseCost(
        runtime.module,
        (lease) =>
          redisModule.module.createRedisHandler({
            url: redis.url,
            prefix: `bench-cost-${lease}:`,
            leaseMs: lease ? 5000 : false,
          }),
        'Redis',
      );
      await compression(redisModule.module, redis.url);
    } else {
      emit(notAvailable(singleFlightName('standalone Redis'), 'executions', 1, 'redis-server not installed'));
    }
    await leaseCost(
      runtime.module,
      (lease) =>
        fsModule.module.createFsHandler({ dir: path.join(dir, `cost-${lease}`), leaseMs: lease ? 5000 : false }),
      'fs',
    );
  } finally {
    cluster?.stop();
    redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
