// What a Next.js 16 app names in next.config's `cacheHandlers`: this package's Redis handler,
// adapted to Next.js's contract. Every instance pointing at the same Redis shares entries and
// tag revalidations.
import { toNextCacheHandler } from 'babel-plugin-use-cache/handlers/next';
import { createRedisHandler } from 'babel-plugin-use-cache/handlers/redis';

export default toNextCacheHandler(createRedisHandler({ url: process.env.REDIS_URL, prefix: 'next-app:' }));
