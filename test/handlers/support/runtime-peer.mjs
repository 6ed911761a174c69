// A server process using the cache runtime with a Redis handler, driven over stdin/stdout
// (see peer-process.ts):  node --conditions react-server runtime-peer.mjs <compiled runtime dir> <options JSON>
import { serve } from './serve.mjs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, optionsJson] = process.argv.slice(2);
const runtime = await import(pathToFileURL(join(dir, 'index.js')).href);
const { createRedisHandler } = await import(pathToFileURL(join(dir, 'handlers/redis.js')).href);
const handler = createRedisHandler(JSON.parse(optionsJson));
runtime.configureCache({ handlers: { default: handler } });

/** How many times each body really ran in this process. */
const bodies = { product: 0 };
// What compiled `'use cache'` code does: the body wrapped under a stable id.
const getProduct = runtime.cacheFunction('test-product-id', 'default', async (id) => {
  bodies.product++;
  runtime.cacheTag('products', `product-${id}`);
  return { id, name: `Product ${id}`, computedBy: process.pid, at: Date.now(), price: globalThis.price ?? 10 };
});

const ops = {
  call: ({ product }) => getProduct(product),
  bodies: () => bodies,
  setPrice: ({ price }) => { globalThis.price = price; },
  revalidateTag: ({ tag }) => runtime.revalidateTag(tag),
  close: async () => { await handler.close(); setImmediate(() => process.exit(0)); },
};

serve(ops);
