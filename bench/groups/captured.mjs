// A hit of an inline 'use cache' function that captures values (NODE_ENV=production,
// --conditions react-server). Compiled code binds the captured values in a holder that is
// encrypted only when React sends the reference to a client:
//   const load = $$cache_0.bind(null, encryptOnSend(id, [token, userId]));  await load(day);
// A render that calls `load` itself (the common case) keys by the values' encoding without any
// cryptography; a call that comes back from the browser carries the ciphertext, opened first.
// Baselines, in the same process in alternating batches:
// - bare encodeReply of the captured values and the argument (what keying the call must at least
//   do), against the ≤ 4× hit target of every cached function;
// - the same call of a module-level cached function taking the three values as arguments: what
//   capturing costs over passing them.
import { loadDist, firstLine } from '../lib/dist.mjs';
import { bareEncode } from '../lib/flight.mjs';
import { compare } from '../lib/measure.mjs';
import { emit, emitTiming, notAvailable } from '../lib/report.mjs';

const quick = process.env.BENCH_QUICK === '1';
const opts = quick ? { warmupMs: 100, batchMs: 20, batches: 7 } : { warmupMs: 300, batchMs: 50, batches: 15 };

const LABEL = 'inline cached function, 2 captured values + 1 primitive arg';
const ROWS = [
  { key: 'server', name: `hit, ${LABEL}, bound and called in one render ÷ bare encodeReply`, target: 4 },
  {
    key: 'plain',
    name: `hit, ${LABEL}, bound and called in one render ÷ the values passed as arguments`,
    target: null,
  },
  {
    key: 'client',
    name: `hit, ${LABEL}, called back with the ciphertext a client sends ÷ bare encodeReply`,
    target: null,
  },
];

async function main() {
  const runtime = await loadDist('runtime/index.js', ['cacheFunction', 'configureCache', 'encryptOnSend']);
  const memory = await loadDist('runtime/handlers/memory.js', ['createMemoryHandler']);
  const missing = runtime.missing ?? memory.missing;
  if (missing) {
    for (const row of ROWS) emit(notAvailable(row.name, 'µs', row.target, missing));
    return;
  }
  const { cacheFunction, configureCache, encryptOnSend } = runtime.module;
  configureCache({
    encryptionKey: Buffer.alloc(32, 7).toString('base64'),
    handlers: { default: memory.module.createMemoryHandler({ maxBytes: 64 * 1024 * 1024 }) },
  });
  const body = async (token, userId, day) => ({ userId, day, visits: token.length * 3 });
  const ID = 'bench-captured';
  const captured = cacheFunction(ID, 'default', async ([token, userId], day) => body(token, userId, day), {
    captured: true,
  });
  const plain = cacheFunction('bench-captured-plain', 'default', body);
  const token = 'tok_4f1c2a9e';
  const userId = 'user-1';
  const day = '2026-01-01';
  // What a render runs: bind the captured values (the compiled call site), then call.
  const render = () => captured.bind(null, encryptOnSend(ID, [token, userId]))(day);
  const renderPlain = () => plain(token, userId, day);
  // What Flight writes for the bound value when the reference goes to a client, and the browser sends back.
  const ciphertext = await encryptOnSend(ID, [token, userId]);
  const fromClient = () => captured(ciphertext, day);
  const bare = () => bareEncode([token, userId, day]);
  const pairs = { server: [render, bare], plain: [render, renderPlain], client: [fromClient, bare] };

  for (const row of ROWS) {
    try {
      const [value, baseline] = pairs[row.key];
      await value();
      await baseline();
      const r = await compare(value, baseline, opts);
      emitTiming(row, r);
    } catch (error) {
      emit(notAvailable(row.name, 'µs', row.target, `failed: ${firstLine(error)}`));
    }
  }
}

await main();
