// Cost of the cache handlers as the runtime uses them, measured on the BUILT package (dist/):
//   baseline     the cheapest call of the medium, in the same batches: Redis PING, fs stat,
//                a resolved promise (shows how loaded the machine was)
//   hit          get(key) + getTagTimes(entry.tags)      (what a cache hit asks of a handler)
//   hit later    the same, getTagTimes one event-loop turn later (no tag times remembered)
//   miss         get(absent key)                           (the lookup before a fill)
//   set          set(key, entry)                           (storing a fill)
//   revalidate   updateTags([tag]) + getTagTimes([tag])  (revalidateTag and the next read's check)
// each with 100 and with 100,000 entries stored (all carrying the revalidated tag).
//
//   npm run build && node bench/handlers.mjs [--entries 100,100000] [--only redis,fs,memory]
//
// Wall-clock time (a Redis round trip is mostly waiting), median per call over batches. Starts its
// own redis-server on a free loopback port unless REDIS_URL is set. Writes bench/.out/handlers.json.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.resolve(root, process.env.USE_CACHE_DIST || 'dist');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const sizes = arg('entries', '100,100000').split(',').map(Number);
const only = arg('only', 'memory,redis,fs').split(',');

const load = async (name) => {
  try {
    return await import(pathToFileURL(path.join(dist, 'runtime/handlers', `${name}.js`)).href);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.warn(`(${name} handler not measured: ${message.split('\n')[0]}; run npm run build)`);
    return undefined;
  }
};

const value = new Uint8Array(256).fill(7); // a small Flight payload
const entry = (i) => ({
  value,
  tags: ['all', `item-${i % 50}`],
  timestamp: Date.now(),
  stale: 300,
  revalidate: 900,
  expire: 3600,
});

/**
 * Median wall time per call (µs) of each op. The ops' batches are interleaved (hit, miss, set, ...,
 * hit, miss, ...) so that load from other processes lands on all of them alike. Each op is warmed
 * up for ~200 ms, which also sizes its batches to ~20 ms (slow filesystem writes get small ones).
 */
async function timeAll(ops, { batchMs = 20, batches = 21, warmupMs = 200 } = {}) {
  const names = Object.keys(ops);
  /** @type {Record<string, number[]>} */
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  const sizes = {};
  let n = 0;
  for (const name of names) {
    const start = performance.now();
    let calls = 0;
    while (calls < 200 && performance.now() - start < warmupMs) {
      await ops[name](n++);
      calls++;
    }
    const perCallMs = (performance.now() - start) / calls;
    sizes[name] = Math.max(5, Math.min(50_000, Math.round(batchMs / perCallMs)));
  }
  for (let b = 0; b < batches; b++) {
    for (const name of names) {
      const start = performance.now();
      for (let i = 0; i < sizes[name]; i++) await ops[name](n++);
      samples[name].push(((performance.now() - start) * 1000) / sizes[name]);
    }
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  return Object.fromEntries(names.map((name) => [name, median(samples[name])]));
}

async function fill(handler, count) {
  for (let i = 0; i < count; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - i) }, (_, j) => handler.set(`key-${i + j}`, entry(i + j))),
    );
  }
}

/** The timed operations on one handler holding `count` entries. */
function operations(handler, count, baseline) {
  return {
    baseline,
    hit: async (i) => {
      const e = await handler.get(`key-${(i * 7919) % count}`);
      await handler.getTagTimes(e.tags);
    },
    // the same, with the tag times asked in a later event-loop turn (Redis: a second round trip)
    hitLater: async (i) => {
      const e = await handler.get(`key-${(i * 7919) % count}`);
      await new Promise((resolve) => setImmediate(resolve));
      await handler.getTagTimes(e.tags);
    },
    miss: (i) => handler.get(`absent-${i}`),
    set: (i) => handler.set(`new-${i % 1000}`, entry(i)),
    revalidate: async () => {
      await handler.updateTags(['all'], Date.now());
      await handler.getTagTimes(['all']);
    },
  };
}

/**
 * Rows for one or more { handler, count } pairs. Pairs given together are filled first and then
 * timed in the same interleaved batches: for the memory handler both sizes then share one heap
 * and one stretch of machine load, so their ratio is the entry count's effect alone.
 */
async function measure(name, pairs, baseline) {
  const started = performance.now();
  for (const { handler, count } of pairs) await fill(handler, count);
  const filled = performance.now();
  const ops = {};
  for (const { handler, count } of pairs) {
    for (const [op, fn] of Object.entries(operations(handler, count, baseline))) ops[`${count}:${op}`] = fn;
  }
  const t = await timeAll(ops);
  const seconds = (ms) => (ms / 1000).toFixed(1);
  console.error(
    `${name} ${pairs.map((p) => p.count).join(' + ')}: filled in ${seconds(filled - started)} s, measured in ${seconds(performance.now() - filled)} s`,
  );
  return pairs.map(({ count }) => {
    const at = (op) => t[`${count}:${op}`];
    return {
      handler: name,
      entries: count,
      baselineUs: at('baseline'),
      hitUs: at('hit'),
      hitLaterUs: at('hitLater'),
      missUs: at('miss'),
      setUs: at('set'),
      revalidateUs: at('revalidate'),
    };
  });
}

async function startRedis() {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop() {} };
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = /** @type {import('node:net').AddressInfo} */ (s.address()).port;
      s.close(() => resolve(p));
    });
  });
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await new Promise((resolve, reject) => {
    child.once('error', reject);
    setTimeout(resolve, 300);
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

const rows = [];
const memory = only.includes('memory') ? await load('memory') : undefined;
if (memory?.createMemoryHandler) {
  const pairs = sizes.map((count) => ({ count, handler: memory.createMemoryHandler({ maxBytes: 1 << 30 }) }));
  rows.push(...(await measure('memory', pairs, () => Promise.resolve())));
}
const redisModule = only.includes('redis') ? await load('redis') : undefined;
if (redisModule) {
  const server = await startRedis();
  try {
    for (const count of sizes) {
      const handler = redisModule.createRedisHandler({ url: server.url, prefix: `bench-${count}:`, timeoutMs: 2000 });
      rows.push(...(await measure('redis', [{ handler, count }], () => handler.client.ping())));
      await handler.client.flushdb();
      await handler.close();
    }
  } finally {
    server.stop();
  }
}
const fsModule = only.includes('fs') ? await load('fs') : undefined;
if (fsModule) {
  for (const count of sizes) {
    const dir = mkdtempSync(path.join(tmpdir(), 'use-cache-bench-'));
    try {
      const handler = fsModule.createFsHandler({ dir, maxBytes: 1 << 30 });
      rows.push(...(await measure('fs', [{ handler, count }], () => stat(dir))));
      await handler.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

const us = (n) => `${n.toFixed(1)} µs`;
console.log(
  '| handler | entries | baseline | hit (get + getTagTimes) | hit, tags asked a turn later | miss (get) | set | revalidate (updateTags + getTagTimes) |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.handler} | ${r.entries.toLocaleString('en')} | ${us(r.baselineUs)} | ${us(r.hitUs)} | ${us(r.hitLaterUs)} | ${us(r.missUs)} | ${us(r.setUs)} | ${us(r.revalidateUs)} |`,
  );
}
for (const name of new Set(rows.map((r) => r.handler))) {
  const [small, large] = [Math.min(...sizes), Math.max(...sizes)].map((n) =>
    rows.find((r) => r.handler === name && r.entries === n),
  );
  if (small && large && small !== large) {
    const raw = large.revalidateUs / small.revalidateUs;
    // each divided by its own baseline first: cancels the load of the machine at either moment
    const normalised = large.revalidateUs / large.baselineUs / (small.revalidateUs / small.baselineUs);
    console.log(
      `${name}: revalidate at ${large.entries.toLocaleString('en')} / at ${small.entries} entries = ${raw.toFixed(2)}× ` +
        `(${normalised.toFixed(2)}× in units of the baseline)`,
    );
  }
}
mkdirSync(path.join(root, 'bench/.out'), { recursive: true });
writeFileSync(path.join(root, 'bench/.out/handlers.json'), JSON.stringify({ rows }, null, 2) + '\n');
