// Timing helpers shared by every benchmark group.
//
// Every figure is measured next to its baseline in the same process and the same minute: the two
// are run in alternating batches (A, B, A, B, ...) so that machine noise (other processes, GC,
// CPU frequency) lands on both. The reported times are medians over batches; the reported ratio is
// the median of the per-pair ratios (each batch of A divided by the adjacent batch of B), which
// cancels slow drifts that a ratio of two medians would not.
import { performance } from 'node:perf_hooks';

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// The clock. Several engineers build and test on this 2-core machine while benchmarks run, so
// wall time mostly measures who else is on the CPU. The default clock is therefore this process's
// CPU time (user + system, all threads: GC helpers included), which preemption does not inflate.
// BENCH_CLOCK=wall switches to wall time. Figures that are about waiting (the wall time of 1,000
// concurrent calls, CLI start-up) use wall time explicitly.
export const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
export const wallNow = () => performance.now();
export const clockName = process.env.BENCH_CLOCK === 'wall' ? 'wall' : 'cpu';
const defaultNow = clockName === 'wall' ? wallNow : cpuNow;
// process.cpuUsage() moves in uneven steps (the kernel splits CPU time into user and system and
// keeps each monotonic), so it is only trusted over batches of many milliseconds. Single timed
// calls (compareEach, timeEach, size-1 batches) use wall time.
let now = defaultNow;

/** Milliseconds taken by `size` sequential awaited calls of `op` (op may be sync or async). */
async function runBatch(op, size) {
  const start = now();
  for (let i = 0; i < size; i++) await op();
  return now() - start;
}

/** How many calls of `op` make a batch of about `batchMs` milliseconds. */
async function calibrate(op, batchMs) {
  let size = 1;
  for (;;) {
    const ms = await runBatch(op, size);
    if (ms >= batchMs / 4 || size >= 1 << 20) {
      return Math.max(1, Math.round((size * batchMs) / Math.max(ms, 1e-3)));
    }
    size *= 4;
  }
}

/**
 * Compare `value` against `baseline` in alternating batches after a warm-up.
 * Returns per-call medians in milliseconds and the median paired ratio.
 * @param {() => unknown} value
 * @param {() => unknown} baseline
 * @param {{ warmupMs?: number, batchMs?: number, batches?: number, size?: number, clock?: 'wall' | 'cpu' }} [options]
 */
export async function compare(value, baseline, { warmupMs = 300, batchMs = 20, batches = 25, size, clock } = {}) {
  now = clock === 'wall' ? wallNow : clock === 'cpu' ? cpuNow : size === 1 ? wallNow : defaultNow;
  try {
    return await compareWith(value, baseline, { warmupMs, batchMs, batches, size });
  } finally {
    now = defaultNow;
  }
}

async function compareWith(value, baseline, { warmupMs, batchMs, batches, size }) {
  // Warm-up: let both paths reach the optimising compiler before anything is recorded.
  const warmEnd = now() + warmupMs;
  while (now() < warmEnd) {
    await value();
    await baseline();
  }
  const sizeA = size ?? (await calibrate(value, batchMs));
  const sizeB = size ?? (await calibrate(baseline, batchMs));
  const a = [];
  const b = [];
  const ratios = [];
  for (let i = 0; i < batches; i++) {
    // Alternate which side goes first so neither always runs right after a GC of the other.
    let ta;
    let tb;
    if (i % 2 === 0) {
      ta = (await runBatch(value, sizeA)) / sizeA;
      tb = (await runBatch(baseline, sizeB)) / sizeB;
    } else {
      tb = (await runBatch(baseline, sizeB)) / sizeB;
      ta = (await runBatch(value, sizeA)) / sizeA;
    }
    a.push(ta);
    b.push(tb);
    ratios.push(ta / tb);
  }
  return { value: median(a), baseline: median(b), ratio: median(ratios), spread: quartiles(ratios), samples: batches };
}

/** First and third quartile, to show how far one measurement can be trusted. */
export function quartiles(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
  return [at(0.25), at(0.75)];
}

/**
 * Like `compare`, for operations that need their own preparation and clean-up around every call
 * (a stale serve needs the clock moved before and its background refresh drained after). Each
 * call is timed alone; `prepare` and `settle` are not timed.
 */
export async function compareEach(
  value,
  baseline,
  { prepare = async () => {}, settle = async () => {}, warmup = 50, runs = 300 } = {},
) {
  const one = async (op, withSetup) => {
    if (withSetup) await prepare();
    const start = wallNow();
    await op();
    const ms = wallNow() - start;
    if (withSetup) await settle();
    return ms;
  };
  for (let i = 0; i < warmup; i++) {
    await one(value, true);
    await one(baseline, false);
  }
  const a = [];
  const b = [];
  const ratios = [];
  for (let i = 0; i < runs; i++) {
    const ta = await one(value, true);
    const tb = await one(baseline, false);
    a.push(ta);
    b.push(tb);
    ratios.push(ta / tb);
  }
  return { value: median(a), baseline: median(b), ratio: median(ratios), samples: runs };
}

/** Median of `runs` timings of `op` (each timed alone), after `warmup` untimed calls. */
export async function timeEach(op, { warmup = 5, runs = 30, prepare = async () => {} } = {}) {
  for (let i = 0; i < warmup; i++) {
    await prepare();
    await op();
  }
  const times = [];
  for (let i = 0; i < runs; i++) {
    await prepare();
    const start = wallNow();
    await op();
    times.push(wallNow() - start);
  }
  return median(times);
}

/** Resolve after pending microtasks, immediates and zero timers have had their turn. */
export async function drain(rounds = 3) {
  for (let i = 0; i < rounds; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** The q-quantile (0..1) of `values`, nearest rank. */
export function quantile(values, q) {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/**
 * Synchronous operations timed one call at a time, interleaved (a, b, c, then c, b, a, ...) so
 * that every variant meets the same machine. Other work on a shared machine only ever slows a
 * call down, so the low quantile (the 10th percentile by default) estimates a call's own cost
 * far more steadily than the median: on this 2-core machine the median ratio of a no-op moves
 * by ±5% from run to run, the 10th-percentile ratio by about ±1%.
 * Returns, per variant name, { low, median } in milliseconds.
 */
/**
 * @template {string} K
 * @param {Record<K, () => unknown>} variants
 * @param {{ samples?: number, warmup?: number, low?: number }} [options]
 * @returns {Record<K, { low: number, median: number }>}
 */
export function compareInterleaved(variants, { samples = 200, warmup = 20, low = 0.1 } = {}) {
  const names = /** @type {K[]} */ (Object.keys(variants));
  for (let i = 0; i < warmup; i++) for (const name of names) variants[name]();
  /** @type {Record<string, number[]>} */
  const times = Object.fromEntries(names.map((n) => [n, []]));
  const reversed = [...names].reverse();
  for (let i = 0; i < samples; i++) {
    for (const name of i % 2 ? reversed : names) {
      const start = wallNow();
      variants[name]();
      times[name].push(wallNow() - start);
    }
  }
  return /** @type {Record<K, { low: number, median: number }>} */ (
    Object.fromEntries(names.map((n) => [n, { low: quantile(times[n], low), median: median(times[n]) }]))
  );
}
