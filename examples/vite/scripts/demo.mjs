// `npm run demo:vite`: builds examples/vite with Vite (plugin-rsc's rsc, ssr and client builds)
// and serves the build with `vite preview` on localhost; with `-- --dev`, runs Vite's dev server
// instead (no build; modules are transformed on request). PORT picks the port (default 3001; 0
// picks a free one), HOST the interface (default 127.0.0.1).
import { existsSync, lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBuilder, createServer, preview } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const repo = path.resolve(root, '../..');

// What `npm install babel-plugin-use-cache` gives an app: the package in its node_modules (here,
// this repository, whose dist/ `npm run build` made). Everything else resolves from the
// repository's node_modules, installed by `npm ci` at its root.
const installed = path.join(root, 'node_modules/babel-plugin-use-cache');
if (!existsSync(installed) && !isLink(installed)) {
  mkdirSync(path.dirname(installed), { recursive: true });
  symlinkSync(path.relative(path.dirname(installed), repo), installed, 'dir');
}

// plugin-rsc reads the app's dependencies from the package.json of the working directory.
process.chdir(root);
const listen = { port: Number(process.env.PORT ?? 3001), host: process.env.HOST ?? '127.0.0.1', strictPort: true };
let server;
if (process.argv.includes('--dev')) {
  server = await createServer({ root, logLevel: 'warn', server: listen });
  await server.listen();
} else {
  const started = Date.now();
  const builder = await createBuilder({ root, logLevel: 'warn' });
  await builder.buildApp();
  console.log(`Built the Vite example in ${Date.now() - started} ms`);
  server = await preview({ root, logLevel: 'warn', preview: listen });
}
const address = server.httpServer.address();
console.log(`Vite example listening on http://${address.address}:${address.port}/`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}

function isLink(file) {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
