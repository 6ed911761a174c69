// A small Next.js 16 app whose 'use cache' entries live in this package's Redis handler, through
// toNextCacheHandler (see cache-handler.mjs). Built and started twice by next-app.test.ts.
import { fileURLToPath } from 'node:url';

/** @type {import('next').NextConfig} */
export default {
  cacheComponents: true,
  partialPrefetching: true,
  cacheHandlers: { default: fileURLToPath(new URL('./cache-handler.mjs', import.meta.url)) },
  // The repository root holds the lockfile and node_modules that `next` resolves from.
  turbopack: { root: fileURLToPath(new URL('../..', import.meta.url)) },
  outputFileTracingRoot: fileURLToPath(new URL('../..', import.meta.url)),
};
