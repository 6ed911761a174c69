// Runtime figures (NODE_ENV=production, --conditions react-server): hit, miss and stale-serve cost
// of a cached function for three kinds of call, and 1,000 concurrent calls on a cold key.
//
// Baselines, measured in the same process in alternating batches:
// - bare encodeReply of the same arguments (what computing any key must at least do);
// - a straightforward Flight cache (lib/flight.mjs): encode + hash; a hit decodes the stored bytes
//   with createFromReadableStream; a miss also decodes the arguments, runs the function and
//   renders the result with renderToReadableStream.
import { createElement } from 'react';
import { loadDist, firstLine } from '../lib/dist.mjs';
import { bareEncode, naiveCache } from '../lib/flight.mjs';
import { compare, compareEach, drain, median, wallNow } from '../lib/measure.mjs';
import { emit, emitTiming, figure, notAvailable } from '../lib/report.mjs';

const quick = process.env.BENCH_QUICK === '1';
const opts = quick ? { warmupMs: 100, batchMs: 20, batches: 7 } : { warmupMs: 300, batchMs: 50, batches: 15 };
const eachOpts = quick ? { warmup: 20, runs: 60 } : { warmup: 60, runs: 250 };

/** A deterministic object argument whose encoding is about 10 KB. */
function tenKilobytes() {
  const items = Array.from({ length: 80 }, (_, i) => ({
    id: `item-${i}`,
    name: `Product number ${i}`,
    price: 10 + i / 4,
    tags: ['new', i % 2 ? 'odd' : 'even'],
    stock: { warehouse: i * 3, store: i % 7 },
  }));
  return { query: { category: 'books', sort: 'price', page: 1 }, items };
}

// The three calls. `args(i)` gives the arguments of call number i: `hit` uses a fixed i, `miss`
// a new one each time (a key never seen before).
const CASES = [
  {
    label: '3 primitive args, small object result',
    fn: async (id, locale, flag) => ({ id, locale, flag, title: 'Hello', price: 12.5, tags: ['a', 'b'] }),
    args: (i) => [i, 'en-GB', true],
  },
  {
    label: '10 KB object arg',
    fn: async (filters) => ({ count: filters.items.length, first: filters.items[0].id, page: filters.query.page }),
    args: (() => {
      const base = tenKilobytes();
      return (i) => [{ ...base, query: { ...base.query, page: i } }];
    })(),
  },
  {
    label: 'component with children (JSX arg, rendered result)',
    fn: async function Card({ title, children }) {
      return createElement('section', { className: 'card' }, createElement('h2', null, title), children);
    },
    // New children elements on every call, as a render would create them.
    args: (i) => [{ title: `Card ${i}`, children: createElement('p', null, 'child content') }],
  },
];

const ROWS = (label) => [
  { key: 'hit', name: `hit, ${label} ÷ bare encodeReply`, target: 4 },
  { key: 'hitNaive', name: `hit, ${label} ÷ encode + createFromReadableStream hit`, target: null },
  { key: 'miss', name: `miss, ${label} ÷ encode + render + decode cycle`, target: null },
  { key: 'stale', name: `stale serve, ${label} ÷ bare encodeReply`, target: null },
];
const CONCURRENCY_ROWS = [
  { name: '1,000 concurrent calls on a cold key: executions', unit: 'runs', target: 1 },
  { name: '1,000 concurrent calls on a cold key: wall time ÷ one cold call', unit: 'ms', target: null },
];

async function main() {
  const runtime = await loadDist('runtime/index.js', ['cacheFunction', 'configureCache']);
  const memory = await loadDist('runtime/handlers/memory.js', ['createMemoryHandler']);
  const missing = runtime.missing ?? memory.missing;
  if (missing) {
    for (const c of CASES) for (const row of ROWS(c.label)) emit(notAvailable(row.name, 'µs', row.target, missing));
    for (const row of CONCURRENCY_ROWS) emit(notAvailable(row.name, row.unit, row.target, missing));
    return;
  }
  const { cacheFunction, configureCache } = runtime.module;
  let clockMs = Date.now();
  configureCache({
    clock: () => clockMs,
    handlers: { default: memory.module.createMemoryHandler({ maxBytes: 256 * 1024 * 1024 }) },
  });

  let idCounter = 0;
  for (const c of CASES) {
    const rows = ROWS(c.label);
    const rowOf = (key) => {
      const row = rows.find((x) => x.key === key);
      if (!row) throw new Error(`no row ${key}`);
      return row;
    };
    const report = (key, r) => {
      const row = rowOf(key);
      emitTiming(row, r);
    };
    const guard = async (key, run) => {
      try {
        await run();
      } catch (error) {
        const row = rowOf(key);
        emit(notAvailable(row.name, 'µs', row.target, `failed: ${firstLine(error)}`));
      }
    };
    const hitArgs = c.args(0);
    // As compiled code calls it: the declared parameters and the code hash (docs/runtime-contract.md).
    const cached = cacheFunction(`bench-${idCounter++}`, 'default', c.fn, {
      params: hitArgs.length,
      code: 'a3f1c2e4b5d6978800112233445566778899aabbccddeeff0011223344556677',
    });
    const naive = naiveCache(c.fn);

    await guard('hit', async () => {
      await cached(...hitArgs);
      report(
        'hit',
        await compare(
          () => cached(...c.args(0)),
          () => bareEncode(c.args(0)),
          opts,
        ),
      );
    });
    await guard('hitNaive', async () => {
      await naive.call(...hitArgs);
      report(
        'hitNaive',
        await compare(
          () => cached(...c.args(0)),
          () => naive.call(...c.args(0)),
          opts,
        ),
      );
    });
    await guard('miss', async () => {
      let a = 1;
      let b = 1;
      report(
        'miss',
        await compare(
          () => cached(...c.args(a++)),
          () => naive.call(...c.args(b++)),
          opts,
        ),
      );
      naive.clear();
    });
    await guard('stale', async () => {
      // Each timed call first has the clock moved past `revalidate` (default profile: 900 s), so
      // it serves the stale entry and starts one background refresh, which is drained untimed.
      await cached(...hitArgs);
      report(
        'stale',
        await compareEach(
          () => cached(...c.args(0)),
          () => bareEncode(c.args(0)),
          {
            ...eachOpts,
            prepare: async () => {
              clockMs += 901_000;
            },
            settle: () => drain(2),
          },
        ),
      );
    });
  }

  // 1,000 concurrent calls on a cold key: the function waits 5 ms (a database call) and counts its
  // executions. Baseline: one cold call of the same function, alone.
  try {
    let executions = 0;
    const slow = cacheFunction('bench-concurrent', 'default', async (key) => {
      executions++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { key, rows: [1, 2, 3] };
    });
    let key = 0;
    const runs = quick ? 5 : 15;
    const single = [];
    const crowd = [];
    let maxExecutions = 0;
    for (let r = 0; r < runs + 2; r++) {
      let start = wallNow();
      await slow(`single-${key++}`);
      const one = wallNow() - start;
      executions = 0;
      const k = `crowd-${key++}`;
      start = wallNow();
      await Promise.all(Array.from({ length: 1000 }, () => slow(k)));
      const all = wallNow() - start;
      if (r >= 2) {
        // the first two are warm-up
        single.push(one);
        crowd.push(all);
        maxExecutions = Math.max(maxExecutions, executions);
      }
    }
    emit(
      figure({
        name: CONCURRENCY_ROWS[0].name,
        value: maxExecutions,
        unit: 'runs',
        baseline: 1,
        ratio: maxExecutions,
        target: 1,
      }),
    );
    emit(
      figure({
        name: CONCURRENCY_ROWS[1].name,
        value: median(crowd),
        unit: 'ms',
        baseline: median(single),
        target: null,
      }),
    );
  } catch (error) {
    for (const row of CONCURRENCY_ROWS)
      emit(notAvailable(row.name, row.unit, row.target, `failed: ${firstLine(error)}`));
  }
}

await main();
