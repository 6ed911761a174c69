// A server process using the cache runtime with a Redis or filesystem handler, driven over
// stdin/stdout (see peer-process.ts):
//   node --conditions react-server runtime-peer.mjs <compiled runtime dir> redis|fs <options JSON>
import { serve } from './serve.mjs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, kind, optionsJson] = process.argv.slice(2);
const runtime = await import(pathToFileURL(join(dir, 'index.js')).href);
const handlers = await import(pathToFileURL(join(dir, `handlers/${kind}.js`)).href);
const create = kind === 'redis' ? handlers.createRedisHandler : handlers.createFsHandler;
const handler = create(JSON.parse(optionsJson));
// The runtime returns a filled value without waiting for the handler to store it; a request to
// this "server" is answered once its writes are done, so the other process can rely on them.
const writes = new Set();
const tracked = {
  get: (key) => handler.get(key),
  set: (key, entry) => {
    const write = handler.set(key, entry);
    writes.add(write);
    write.catch(() => {}).finally(() => writes.delete(write));
    return write;
  },
  getTagTimes: (tags) => handler.getTagTimes(tags),
  updateTags: (tags, timestamp, durations) => handler.updateTags(tags, timestamp, durations),
  maxEntryBytes: handler.maxEntryBytes,
};
if (handler.acquireLease) {
  tracked.acquireLease = (key) => handler.acquireLease(key);
  tracked.releaseLease = (key, token) => handler.releaseLease(key, token);
}
runtime.configureCache({ handlers: { default: tracked } });

/** How many times each body really ran in this process. */
const bodies = { product: 0 };
let slowBodies = 0;
// What compiled `'use cache'` code does: the body wrapped under a stable id.
const getProduct = runtime.cacheFunction('test-product-id', 'default', async (id) => {
  bodies.product++;
  runtime.cacheTag('products', `product-${id}`);
  return { id, name: `Product ${id}`, computedBy: process.pid, at: Date.now(), price: globalThis.price ?? 10 };
});

// A slow body (a cold page render): what the cross-instance single flight is about.
let slowMs = 300;
const getSlow = runtime.cacheFunction('test-slow-id', 'default', async (id) => {
  slowBodies++;
  runtime.cacheTag('slow', `slow-${id}`);
  await new Promise((resolve) => setTimeout(resolve, slowMs));
  return { id, computedBy: process.pid };
});

const ops = {
  /** `count` concurrent cold calls of the slow function with one argument. */
  burst: async ({ product: id, count }) => {
    const values = await Promise.all(Array.from({ length: count }, () => getSlow(id)));
    await Promise.allSettled([...writes]);
    return values;
  },
  /** Start a slow call and answer once its body runs (the test then kills this process). */
  startSlow: async ({ product: id }) => {
    const before = slowBodies;
    getSlow(id).catch(() => {});
    while (slowBodies === before) await new Promise((resolve) => setTimeout(resolve, 2));
  },
  setSlowMs: ({ ms }) => {
    slowMs = ms;
  },
  call: async ({ product }) => {
    const value = await getProduct(product);
    await Promise.allSettled([...writes]);
    return value;
  },
  bodies: () => bodies,
  slowBodies: () => slowBodies,
  setPrice: ({ price }) => {
    globalThis.price = price;
  },
  revalidateTag: ({ tag, profile }) => runtime.revalidateTag(tag, profile),
  close: async () => {
    await handler.close?.();
    setImmediate(() => process.exit(0));
  },
};

serve(ops);
