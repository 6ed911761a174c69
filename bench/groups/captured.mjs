// A hit of an inline 'use cache' function that captures values (NODE_ENV=production,
// --conditions react-server). Compiled code binds the captured values encrypted, as for Server
// Actions, so a render pays encryptBound at the call site and the cached function opens the
// ciphertext before computing its key:
//   const load = $$cache_0.bind(null, encryptBound(id, [token, userId]));  await load(day);
// Baselines, in the same process in alternating batches:
// - bare encodeReply of the captured values and the argument (what keying the call must at least
//   do), against the ≤ 4× hit target of every cached function;
// - the same call with the captured values bound in plain text (what the compiler emitted before
//   captured values were encrypted): the price of the encryption alone.
import { loadDist, firstLine } from '../lib/dist.mjs';
import { bareEncode } from '../lib/flight.mjs';
import { compare } from '../lib/measure.mjs';
import { emit, figure, notAvailable, progress } from '../lib/report.mjs';

const quick = process.env.BENCH_QUICK === '1';
const opts = quick ? { warmupMs: 100, batchMs: 20, batches: 7 } : { warmupMs: 300, batchMs: 50, batches: 15 };

const LABEL = 'inline cached function, 2 captured values (encrypted) + 1 primitive arg';
const ROWS = [
  { key: 'bare', name: `hit, ${LABEL} ÷ bare encodeReply`, target: 4 },
  { key: 'plain', name: `hit, ${LABEL} ÷ the same hit with the values bound in plain text`, target: null },
];

const us = (ms) => ms * 1000;

async function main() {
  const runtime = await loadDist('runtime/index.js', ['cacheFunction', 'configureCache', 'encryptBound']);
  const memory = await loadDist('runtime/handlers/memory.js', ['createMemoryHandler']);
  const missing = runtime.missing ?? memory.missing;
  if (missing) {
    for (const row of ROWS) emit(notAvailable(row.name, 'µs', row.target, missing));
    return;
  }
  const { cacheFunction, configureCache, encryptBound } = runtime.module;
  configureCache({
    encryptionKey: Buffer.alloc(32, 7).toString('base64'),
    handlers: { default: memory.module.createMemoryHandler({ maxBytes: 64 * 1024 * 1024 }) },
  });
  const body = async (token, userId, day) => ({ userId, day, visits: token.length * 3 });
  const encrypted = cacheFunction(
    'bench-captured',
    'default',
    async ([token, userId], day) => body(token, userId, day),
    {
      captured: true,
    },
  );
  const plain = cacheFunction('bench-captured-plain', 'default', body);
  const token = 'tok_4f1c2a9e';
  const userId = 'user-1';
  const render = () => encrypted.bind(null, encryptBound('bench-captured', [token, userId]))('2026-01-01');
  const renderPlain = () => plain.bind(null, token, userId)('2026-01-01');

  for (const row of ROWS) {
    try {
      await render();
      await renderPlain();
      const r = await compare(
        render,
        row.key === 'bare' ? () => bareEncode([token, userId, '2026-01-01']) : renderPlain,
        opts,
      );
      emit(
        figure({
          name: row.name,
          value: us(r.value),
          unit: 'µs',
          baseline: us(r.baseline),
          ratio: r.ratio,
          target: row.target,
        }),
      );
      progress(`${row.name}: ${us(r.value).toFixed(1)} µs vs ${us(r.baseline).toFixed(1)} µs`);
    } catch (error) {
      emit(notAvailable(row.name, 'µs', row.target, `failed: ${firstLine(error)}`));
    }
  }
}

await main();
