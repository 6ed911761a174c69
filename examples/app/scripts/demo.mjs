// `npm run demo`: builds the example app with webpack's Node API and serves it on localhost.
// PORT picks the port (default 3000; 0 picks a free one), HOST the interface (default 127.0.0.1).
import { randomBytes } from 'node:crypto';
import { buildApp } from './build.mjs';
import { createAppServer } from '../server/http.mjs';

// Captured values of inline Server Actions are encrypted with this key. Instances that serve the
// same app must share it; the demo is one process, so a fresh key per run is enough.
process.env.USE_CACHE_ENCRYPTION_KEY ??= randomBytes(32).toString('base64');

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const started = Date.now();
const { distDir } = await buildApp();
console.log(`Built the example app in ${Date.now() - started} ms`);

const server = createAppServer({ distDir });
server.listen(port, host, () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(`Example app listening on http://${host}:${address.port}/`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections(); // keep-alive connections of an open browser tab
  });
}
