// revalidateTag with 100 and with many entries carrying the tag, and the read that follows, on the
// memory, Redis and filesystem handlers.
//
// Per handler, both sets of entries live in the same process and the same store; the two tags are
// revalidated and read in alternation, so the only difference between the two figures is how many
// entries carry the tag. An O(1) invalidation gives a ratio near 1; anything that walks the
// entries gives about 1,000 (memory, Redis) or 100 (fs).
//
// Filling the large set through cached calls costs one Flight render each (~25 s of CPU for
// 100,000 on this machine), so the bulk of it is written straight into the handler with
// `handler.set`, shaped like the runtime's own entries (same bytes, same tags); the entries that
// are read back after each invalidation are filled through the cached function itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadDist, firstLine } from '../lib/dist.mjs';
import { median } from '../lib/measure.mjs';
import { startRedis } from '../lib/redis.mjs';
import { emit, figure, notAvailable, progress } from '../lib/report.mjs';

const quick = process.env.BENCH_QUICK === '1';
const SMALL = 100;
// Writing 100,000 entry files takes the fs handler minutes here (one file per entry, written
// atomically): it gets 10,000, as in the handler rows.
const LARGE = { memory: quick ? 10_000 : 100_000, redis: quick ? 10_000 : 100_000, fs: quick ? 2_000 : 10_000 };
const RUNS = { memory: quick ? 30 : 200, redis: quick ? 30 : 150, fs: quick ? 20 : 100 };
const TARGET = 1.5;
const rows = (handler) => [
  {
    key: 'call',
    name: `revalidateTag call, ${handler} handler, ${LARGE[handler].toLocaleString('en')} entries ÷ ${SMALL} entries`,
  },
  {
    key: 'read',
    name: `read after revalidateTag, ${handler} handler, ${LARGE[handler].toLocaleString('en')} entries ÷ ${SMALL} entries`,
  },
];

/** Fill, revalidate and read on `handler`; emits the two figures of `name`. */
async function measure(runtime, name, handler) {
  const { cacheFunction, configureCache, cacheTag, revalidateTag, flush } = runtime;
  configureCache({ handlers: { default: handler } });
  const small = `small-${name}`;
  const large = `large-${name}`;
  let executions = 0;
  // Read through a call: the cached function changes the count behind TypeScript's narrowing.
  const executed = () => executions;
  const load = cacheFunction(`bench-revalidate-${name}`, 'default', async (tag, i) => {
    executions++;
    cacheTag(tag);
    return { tag, i, title: 'entry' };
  });
  const inBatches = async (count, batch, write) => {
    for (let i = 0; i < count; i += batch) {
      await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, j) => write(i + j)));
    }
  };
  const start = performance.now();
  await inBatches(SMALL, 100, (i) => load(small, i));
  await inBatches(SMALL, 100, (i) => load(large, i));
  // The rest of the large set: runtime-shaped entries carrying the tag, written directly.
  const template = {
    value: new Uint8Array(60).fill(65),
    tags: [large],
    timestamp: Date.now(),
    stale: 300,
    revalidate: 900,
    expire: 2 ** 31,
  };
  await inBatches(LARGE[name] - SMALL, name === 'fs' ? 50 : 500, (i) =>
    handler.set(`bench-direct-${name}-${i.toString(16).padStart(64, '0')}`, {
      ...template,
      value: template.value.slice(),
    }),
  );
  await flush();
  if (name === 'memory' && handler.count !== 2 * SMALL + LARGE.memory - SMALL) {
    throw new Error('the handler did not keep every entry');
  }
  progress(`${name}: filled ${LARGE[name] + SMALL} entries in ${((performance.now() - start) / 1000).toFixed(1)} s`);

  // Sanity: entries are hits before, and recomputed after, an invalidation.
  executions = 0;
  await load(large, 7);
  if (executed() !== 0) throw new Error(`${name}: a stored entry was not a hit`);
  await revalidateTag(large, { expire: 0 });
  await load(large, 7);
  if (executed() !== 1) throw new Error(`${name}: revalidateTag did not make the entry stale`);

  const times = { [small]: { call: [], read: [] }, [large]: { call: [], read: [] } };
  const once = async (tag, record) => {
    // Each read finds an entry written before this invalidation, cycling through entries 10..99.
    const i = 10 + (record.read.length % 90);
    // The call alone costs a few µs in memory: time 20 in a row and take the mean (they all do the same work).
    let t = performance.now();
    for (let k = 0; k < 20; k++) await revalidateTag(tag, { expire: 0 });
    record.call.push((performance.now() - t) / 20);
    t = performance.now();
    await load(tag, i);
    record.read.push(performance.now() - t);
    await flush(); // the refilled entry's write, untimed
  };
  const runs = RUNS[name];
  for (let r = 0; r < runs + 20; r++) {
    const order = r % 2 ? [small, large] : [large, small];
    for (const tag of order) await once(tag, times[tag]);
  }
  // Samples were taken in adjacent pairs (small, large): the ratio is the median of pair ratios.
  for (const row of rows(name)) {
    const few = times[small][row.key].slice(20);
    const many = times[large][row.key].slice(20);
    const ratio = median(many.map((x, i) => x / few[i]));
    emit(
      figure({
        name: row.name,
        value: median(many) * 1000,
        unit: 'µs',
        baseline: median(few) * 1000,
        ratio,
        target: TARGET,
      }),
    );
  }
}

async function main() {
  const runtime = await loadDist('runtime/index.js', ['cacheFunction', 'configureCache', 'cacheTag', 'revalidateTag']);
  const factories = {
    memory: await loadDist('runtime/handlers/memory.js', ['createMemoryHandler']),
    redis: await loadDist('runtime/handlers/redis.js', ['createRedisHandler']),
    fs: await loadDist('runtime/handlers/fs.js', ['createFsHandler']),
  };
  for (const name of Object.keys(factories)) {
    const missing = runtime.missing ?? factories[name].missing;
    if (missing) {
      for (const row of rows(name)) emit(notAvailable(row.name, 'µs', TARGET, missing));
      continue;
    }
    let cleanup = () => {};
    try {
      let handler;
      if (name === 'memory') {
        // A budget large enough that no entry is evicted: every one of them must stay invalidatable.
        handler = factories.memory.module.createMemoryHandler({ maxBytes: 2 * 1024 * 1024 * 1024 });
      } else if (name === 'redis') {
        const server = await startRedis();
        if (server === undefined) {
          for (const row of rows(name))
            emit(notAvailable(row.name, 'µs', TARGET, 'skipped: redis-server not installed'));
          continue;
        }
        handler = factories.redis.module.createRedisHandler({ url: server.url, prefix: 'bench-revalidate:' });
        cleanup = () => server.stop();
      } else {
        const dir = mkdtempSync(path.join(tmpdir(), 'use-cache-bench-revalidate-'));
        handler = factories.fs.module.createFsHandler({ dir, maxBytes: 1 << 30 });
        cleanup = () => rmSync(dir, { recursive: true, force: true });
      }
      const close = cleanup;
      cleanup = async () => {
        await handler.close?.();
        close();
      };
      await measure(runtime.module, name, handler);
    } catch (error) {
      for (const row of rows(name)) emit(notAvailable(row.name, 'µs', TARGET, `failed: ${firstLine(error)}`));
    } finally {
      await cleanup();
    }
  }
}

await main();
