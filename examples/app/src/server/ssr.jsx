// Entry of the SSR bundle (built without the `react-server` condition): turns a page's Flight
// payload into HTML with react-dom/server, rendering client components with their real code.
// The bundle also holds every 'use client' module, under the same module ids as the browser build,
// so the Flight client finds them with __webpack_require__.
import { PassThrough, Readable } from 'node:stream';
import { renderToPipeableStream } from 'react-dom/server';
import { createFromNodeStream } from 'react-server-dom-webpack/client';
import { Root } from '../client/Root.jsx';

/**
 * The manifest the Flight client decodes with on the server: each client module of the browser
 * build (react-client-manifest.json) is the module of the same id in this bundle.
 */
export function ssrManifest(clientManifest) {
  const moduleMap = {};
  for (const { id } of Object.values(clientManifest)) moduleMap[id] = { '*': { id, chunks: [], name: '*' } };
  return { moduleMap, serverModuleMap: null, moduleLoading: null };
}

/**
 * The HTML of the tree in `flight` (a Buffer of the whole payload), everything resolved (a
 * visitor without JavaScript gets the complete page).
 */
export function renderHtml(flight, { manifest, onError = console.error }) {
  const tree = createFromNodeStream(Readable.from([flight]), manifest);
  return new Promise((resolve, reject) => {
    const stream = renderToPipeableStream(<Root initial={tree} />, {
      onError,
      onShellError: reject,
      onAllReady() {
        const sink = new PassThrough();
        const chunks = [];
        sink.on('data', (chunk) => chunks.push(chunk));
        sink.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        sink.on('error', reject);
        stream.pipe(sink);
      },
    });
  });
}
