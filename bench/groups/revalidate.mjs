// revalidateTag with 100 and with 100,000 entries carrying the tag, and the read that follows.
//
// Both sets of entries live in the same process (the same heap, the same handler); the two tags
// are revalidated and read in alternation, so the only difference between the two figures is how
// many entries carry the tag. An O(1) invalidation gives a ratio near 1; anything that walks the
// entries gives about 1,000.
//
// Filling 100,000 entries through cached calls costs one Flight render each (~25 s of CPU on this
// machine), so the bulk of them is written straight into the handler with `handler.set`, shaped
// like the runtime's own entries (same bytes, same tags); the entries that are read back after
// each invalidation (a few hundred per tag) are filled through the cached function itself.
import { loadDist, firstLine } from '../lib/dist.mjs';
import { median } from '../lib/measure.mjs';
import { emit, figure, notAvailable, progress } from '../lib/report.mjs';
import { performance } from 'node:perf_hooks';

const quick = process.env.BENCH_QUICK === '1';
const SMALL = 100;
const LARGE = quick ? 10_000 : 100_000;
const ROWS = [
  { key: 'call', name: `revalidateTag call, ${LARGE.toLocaleString('en')} entries ÷ ${SMALL} entries` },
  { key: 'read', name: `read after revalidateTag, ${LARGE.toLocaleString('en')} entries ÷ ${SMALL} entries` },
];

async function main() {
  const runtime = await loadDist('runtime/index.js', ['cacheFunction', 'configureCache', 'cacheTag', 'revalidateTag']);
  const memory = await loadDist('runtime/handlers/memory.js', ['createMemoryHandler']);
  const missing = runtime.missing ?? memory.missing;
  if (missing) {
    for (const row of ROWS) emit(notAvailable(row.name, 'µs', 1.5, missing));
    return;
  }
  const { cacheFunction, configureCache, cacheTag, revalidateTag } = runtime.module;
  // A budget large enough that no entry is evicted: every one of them must stay invalidatable.
  const handler = memory.module.createMemoryHandler({ maxBytes: 2 * 1024 * 1024 * 1024 });
  configureCache({ handlers: { default: handler } });
  let executions = 0;
  const load = cacheFunction('bench-revalidate', 'default', async (tag, i) => {
    executions++;
    cacheTag(tag);
    return { tag, i, title: 'entry' };
  });

  const runs = quick ? 30 : 200;
  const throughRuntime = SMALL;
  const fill = async (tag, count) => {
    for (let i = 0; i < count; i += 1000) {
      await Promise.all(Array.from({ length: Math.min(1000, count - i) }, (_, j) => load(tag, i + j)));
    }
  };
  const start = performance.now();
  await fill('small', SMALL);
  await fill('large', throughRuntime);
  const sizeBefore = handler.count;
  // The rest of the large set: runtime-shaped entries carrying the tag, written directly.
  const template = {
    value: new Uint8Array(60).fill(65),
    tags: ['large'],
    timestamp: Date.now(),
    stale: 300,
    revalidate: 900,
    expire: 2 ** 31,
  };
  for (let i = throughRuntime; i < LARGE; i++) {
    await handler.set(`bench-direct-${i.toString(16).padStart(64, '0')}`, {
      ...template,
      value: template.value.slice(),
    });
  }
  if (handler.count !== sizeBefore + LARGE - throughRuntime) throw new Error('the handler did not keep every entry');
  progress(`filled ${handler.count} entries in ${((performance.now() - start) / 1000).toFixed(1)} s`);

  // Sanity: entries are hits before, and recomputed after, an invalidation.
  executions = 0;
  await load('large', 7);
  if (executions !== 0) throw new Error('a stored entry was not a hit');
  await revalidateTag('large');
  await load('large', 7);
  if (executions !== 1) throw new Error('revalidateTag did not make the entry stale');

  const times = { small: { call: [], read: [] }, large: { call: [], read: [] } };
  const once = async (tag, record) => {
    // Each read finds an entry written before this invalidation, cycling through entries 10..99.
    const i = 10 + (record.read.length % 90);
    // The call alone costs a few µs: time 20 in a row and take the mean (they all do the same work).
    let t = performance.now();
    for (let k = 0; k < 20; k++) await revalidateTag(tag);
    record.call.push((performance.now() - t) / 20);
    t = performance.now();
    await load(tag, i);
    record.read.push(performance.now() - t);
  };
  for (let r = 0; r < runs + 20; r++) {
    const order = r % 2 ? ['small', 'large'] : ['large', 'small'];
    for (const tag of order) await once(tag, times[tag]);
  }
  // Samples were taken in adjacent pairs (small, large): the ratio is the median of pair ratios.
  for (const row of ROWS) {
    const small = times.small[row.key].slice(20);
    const large = times.large[row.key].slice(20);
    const ratio = median(large.map((x, i) => x / small[i]));
    emit(
      figure({
        name: row.name,
        value: median(large) * 1000,
        unit: 'µs',
        baseline: median(small) * 1000,
        ratio,
        target: 1.5,
      }),
    );
  }
}

try {
  await main();
} catch (error) {
  for (const row of ROWS) emit(notAvailable(row.name, 'µs', 1.5, `failed: ${firstLine(error)}`));
}
