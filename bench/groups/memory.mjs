// Memory: 1,000,000 distinct keys through the memory handler with a 50 MB budget.
//
// Entries are written with `handler.set` as the runtime stores them (64-hex-char keys, Flight
// bytes of 100–300 bytes, one or two tags). Reported: the most bytes the handler says it holds
// (checked every 10,000 writes) against its budget, and this process's peak RSS against its RSS
// before the first write (the process runs alone: run.mjs starts one per group). And the CPU cost
// of a write once the handler evicts, against a write while it still has room.
import { loadDist, firstLine } from '../lib/dist.mjs';
import { emit, figure, notAvailable, progress } from '../lib/report.mjs';

const quick = process.env.BENCH_QUICK === '1';
const KEYS = quick ? 100_000 : 1_000_000;
const BUDGET = 50 * 1024 * 1024;
/** The first WINDOW writes fit in the budget (about 100,000 of these entries do); the last evict. */
const WINDOW = quick ? 20_000 : 100_000;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const ROWS = [
  { name: `memory handler, ${KEYS.toLocaleString('en')} keys: bytes held ÷ 50 MB budget`, unit: 'MB', target: 1 },
  { name: `memory handler, ${KEYS.toLocaleString('en')} keys: peak RSS ÷ RSS before`, unit: 'MB', target: null },
  {
    name: `memory handler, ${KEYS.toLocaleString('en')} keys: live heap + buffers after GC, growth ÷ 50 MB budget`,
    unit: 'MB',
    target: null,
  },
  {
    name: `memory handler set, last ${WINDOW.toLocaleString('en')} writes (evicting) ÷ first ${WINDOW.toLocaleString('en')} (not)`,
    unit: 'µs',
    target: null,
  },
];
const mb = (bytes) => bytes / (1024 * 1024);

async function main() {
  const memory = await loadDist('runtime/handlers/memory.js', ['createMemoryHandler']);
  if (memory.missing) {
    for (const row of ROWS) emit(notAvailable(row.name, row.unit, row.target, memory.missing));
    return;
  }
  const handler = memory.module.createMemoryHandler({ maxBytes: BUDGET });
  const reportsSize = typeof handler.size === 'number';
  const live = () => {
    globalThis.gc?.();
    globalThis.gc?.();
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const liveBefore = live();
  const rssBefore = process.memoryUsage().rss;
  let maxHeld = 0;
  const hex = (i) => i.toString(16).padStart(64, '0');
  let firstWindow = 0;
  let windowStart = cpuMs();
  for (let i = 0; i < KEYS; i++) {
    if (i === WINDOW) firstWindow = cpuMs() - windowStart;
    if (i === KEYS - WINDOW) windowStart = cpuMs();
    const value = new Uint8Array(100 + (i % 201));
    value[0] = i & 255;
    await handler.set(hex(i), {
      value,
      tags: i % 3 ? ['products'] : ['products', `product-${i % 1000}`],
      timestamp: Date.now(),
      stale: 300,
      revalidate: 900,
      expire: 2 ** 31,
    });
    if (i % 10_000 === 9_999 && reportsSize) maxHeld = Math.max(maxHeld, handler.size);
    if (i % 250_000 === 249_999)
      progress(
        `${i + 1} keys, ${mb(handler.size ?? 0).toFixed(1)} MB held, rss ${mb(process.memoryUsage().rss).toFixed(0)} MB`,
      );
  }
  const lastWindow = cpuMs() - windowStart;
  // The most recent keys are still there; the oldest were evicted.
  if ((await handler.get(hex(KEYS - 1))) === undefined) throw new Error('the last key written is missing');
  const peakRss = process.resourceUsage().maxRSS * 1024;
  if (reportsSize) {
    emit(figure({ ...ROWS[0], value: mb(maxHeld), baseline: mb(BUDGET) }));
  } else {
    emit(notAvailable(ROWS[0].name, ROWS[0].unit, ROWS[0].target, 'the handler does not report its size'));
  }
  emit(figure({ ...ROWS[1], value: mb(peakRss), baseline: mb(rssBefore) }));
  // What the entries really hold once garbage is collected (needs --expose-gc, which run.mjs gives).
  if (typeof globalThis.gc === 'function') {
    emit(figure({ ...ROWS[2], value: mb(live() - liveBefore), baseline: mb(BUDGET) }));
  } else {
    emit(notAvailable(ROWS[2].name, ROWS[2].unit, ROWS[2].target, 'run with --expose-gc'));
  }
  emit(figure({ ...ROWS[3], value: (lastWindow * 1000) / WINDOW, baseline: (firstWindow * 1000) / WINDOW }));
}

try {
  await main();
} catch (error) {
  for (const row of ROWS) emit(notAvailable(row.name, row.unit, row.target, `failed: ${firstLine(error)}`));
}
