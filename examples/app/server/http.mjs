// The example's HTTP server: an HTML shell, the browser bundle, the Flight payload of a page, and
// the Server Action endpoint. React work happens in the server bundle (dist/server/rsc.cjs).
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { statsPage } from './stats-page.mjs';

const require = createRequire(import.meta.url);

export const FLIGHT_TYPE = 'text/x-component';
/** Header carrying the Server Action id on POST (must match src/client/entry.jsx). */
export const ACTION_HEADER = 'x-rsc-action';
const ASSET_PREFIX = '/assets/';
const MAX_ACTION_BODY = 1024 * 1024;
const STATIC_TYPES = { '.js': 'text/javascript; charset=utf-8', '.json': 'application/json' };

const HTML_HEAD = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>babel-plugin-use-cache example</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2330; background: #f4f6fa; }
  main { max-width: 760px; margin: 0 auto; padding: 24px; }
  h1 { font-size: 1.6rem; margin: 0 0 4px; }
  h2 { font-size: 1.1rem; margin: 0 0 10px; }
  .intro { color: #4a5468; margin-top: 0; }
  .card { background: #fff; border: 1px solid #dde2ec; border-radius: 10px; padding: 14px 18px; margin: 14px 0; }
  .stamp { display: flex; gap: 12px; margin: 6px 0; }
  .stamp .label { flex: 0 0 270px; color: #4a5468; }
  time { font-family: ui-monospace, monospace; font-weight: 600; }
  .shell { border-left: 4px solid #6b8afd; padding-left: 10px; }
  .shell .stamp .label { flex-basis: 256px; }
  .shell-children .stamp .label { flex-basis: 242px; }
  .shell-children { border-left: 4px solid #3cb371; padding-left: 10px; margin-top: 6px; }
  .action { display: flex; gap: 12px; align-items: center; margin-top: 10px; }
  button { font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid #6b8afd; background: #eef2ff; cursor: pointer; }
  input { font: inherit; padding: 6px 8px; border-radius: 6px; border: 1px solid #c5ccda; margin-right: 8px; }
  output { color: #2e7d32; }
  .forecast { margin: 6px 0; }
  .hint { color: #4a5468; font-size: 0.9rem; }
</style>
</head>
<body>
<div id="root">`;

/** The rest of the page: the Flight payload the HTML was rendered from (hydration reuses it), the bundle. */
function htmlTail(flightText) {
  // JSON in a script element: `<` escaped so no `</script>` can end it early.
  const json = JSON.stringify(flightText).replace(/</g, '\\u003c');
  return `</div>
<script id="flight-data" type="application/json">${json}</script>
<script src="${ASSET_PREFIX}main.js" async></script>
</body>
</html>
`;
}

/** A Flight stream (React's pipeable stream) read to its end. */
function collect(pipeable) {
  return new Promise((resolve, reject) => {
    const sink = new PassThrough();
    const chunks = [];
    sink.on('data', (chunk) => chunks.push(chunk));
    sink.on('end', () => resolve(Buffer.concat(chunks)));
    sink.on('error', reject);
    pipeable.pipe(sink);
  });
}

/**
 * The rsc bundle's ActionError (a bad request: unknown action, malformed arguments), told by its
 * name: the class lives in the bundle.
 * @param {unknown} error
 * @returns {error is Error & { status: number }}
 */
const isActionError = (error) => error instanceof Error && error.name === 'ActionError';

/** @param {unknown} error */
const describe = (error) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_ACTION_BODY) throw new HttpError(413, 'Action payload too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** What encodeReply produced in the browser: a string, or FormData sent as multipart. */
async function decodeBody(req) {
  const raw = await readBody(req);
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    return new Request('http://localhost/', {
      method: 'POST',
      headers: { 'content-type': type },
      body: raw,
    }).formData();
  }
  return raw.toString('utf8');
}

/**
 * Browsers send Origin on every cross-site POST: only same-origin callers may run actions
 * (a request without Origin does not come from a browser page and carries no ambient credentials).
 */
function checkOrigin(req) {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host;
  try {
    host = new URL(origin).host;
  } catch {
    throw new HttpError(403, 'Bad Origin header');
  }
  if (host !== req.headers.host) throw new HttpError(403, 'Cross-origin Server Action call rejected');
}

/**
 * @param {{ distDir: string, log?: (line: string) => void }} options
 * @returns {http.Server}
 */
export function createAppServer({ distDir, log = (line) => console.error(line) }) {
  const clientDir = path.join(distDir, 'client');
  const { createRsc, cacheStats } = require(path.join(distDir, 'server', 'rsc.cjs'));
  const ssr = require(path.join(distDir, 'ssr', 'ssr.cjs'));
  const clientManifest = JSON.parse(readFileSync(path.join(clientDir, 'react-client-manifest.json'), 'utf8'));
  const ssrManifest = ssr.ssrManifest(clientManifest);
  const rsc = createRsc({
    clientManifest,
    serverManifest: JSON.parse(readFileSync(path.join(distDir, 'server', 'server-references.json'), 'utf8')),
    onError: (error) => log(`render error: ${error?.stack ?? error}`),
  });

  function pipeFlight(res, stream, status = 200) {
    res.writeHead(status, { 'content-type': FLIGHT_TYPE, 'cache-control': 'no-store', vary: 'accept' });
    stream.pipe(res);
  }

  async function serveAsset(res, pathname) {
    const name = decodeURIComponent(pathname.slice(ASSET_PREFIX.length));
    if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) throw new HttpError(404, 'Not found');
    let body;
    try {
      body = await readFile(path.join(clientDir, name));
    } catch {
      throw new HttpError(404, 'Not found');
    }
    send(res, 200, body, { 'content-type': STATIC_TYPES[path.extname(name)] ?? 'application/octet-stream' });
  }

  async function runAction(req, res, url) {
    checkOrigin(req);
    const id = String(req.headers[ACTION_HEADER]);
    const body = await decodeBody(req);
    let stream;
    try {
      stream = await rsc.runAction(id, body, url);
    } catch (error) {
      if (isActionError(error)) throw new HttpError(error.status, error.message);
      // Thrown by the action itself (or by decryptBound on a tampered payload): log it, tell the
      // caller nothing about it.
      log(`action ${id.slice(0, 12)} failed: ${describe(error)}`);
      throw new HttpError(500, 'Server Action failed');
    }
    pipeFlight(res, stream);
  }

  /** A `<form action={serverAction}>` posted by a browser without JavaScript: run it, then show the page. */
  async function runFormAction(req, res, url) {
    checkOrigin(req);
    const body = await decodeBody(req);
    try {
      await rsc.runFormAction(body);
    } catch (error) {
      if (isActionError(error)) throw new HttpError(error.status, error.message);
      log(`form action failed: ${describe(error)}`);
      throw new HttpError(500, 'Server Action failed');
    }
    // Post/redirect/get: a reload does not post the form again.
    res.writeHead(303, { location: url.pathname + url.search });
    res.end();
  }

  async function renderHtmlPage(res, url) {
    const flight = await collect(rsc.renderPage(url));
    const html = await ssr.renderHtml(flight, {
      manifest: ssrManifest,
      onError: (error) => log(`ssr error: ${error?.stack ?? error}`),
    });
    send(res, 200, HTML_HEAD + html + htmlTail(flight.toString('utf8')), {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      vary: 'accept',
    });
  }

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'POST') {
      if (req.headers[ACTION_HEADER]) return runAction(req, res, url);
      if ((req.headers['content-type'] ?? '').startsWith('multipart/form-data')) return runFormAction(req, res, url);
      throw new HttpError(400, `POST needs an ${ACTION_HEADER} header, or a form posted by a Server Action form`);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'Method not allowed');
    if (url.pathname.startsWith(ASSET_PREFIX)) return serveAsset(res, url.pathname);
    if (url.pathname === '/favicon.ico') return send(res, 204, '');
    if (url.pathname === '/stats') {
      const page = statsPage(cacheStats(), req.headers.accept);
      return send(res, 200, page.body, { 'content-type': page.type, 'cache-control': 'no-store' });
    }
    if (url.pathname !== '/') throw new HttpError(404, 'Not found');
    if ((req.headers.accept ?? '').includes(FLIGHT_TYPE)) return pipeFlight(res, rsc.renderPage(url));
    return renderHtmlPage(res, url);
  }

  return http.createServer((req, res) => {
    handle(req, res).catch((error) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (!(error instanceof HttpError)) log(`request failed: ${error?.stack ?? error}`);
      if (res.headersSent) res.destroy();
      else send(res, status, error instanceof HttpError ? error.message : 'Internal error');
    });
  });
}
