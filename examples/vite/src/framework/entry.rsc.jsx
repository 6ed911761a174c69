// The `rsc` environment's entry: renders the page to a Flight stream, runs Server Actions, and
// hands the stream to the `ssr` environment for HTML. Requests for `<path>_.rsc` get the Flight
// stream itself (the browser's refetch after an action); an action's id comes in `x-rsc-action`.
import './cache.js';
import {
  createTemporaryReferenceSet,
  decodeAction,
  decodeReply,
  loadServerAction,
  renderToReadableStream,
} from '@vitejs/plugin-rsc/rsc';
import { withRequestScope } from 'babel-plugin-use-cache/runtime';
import { Page } from '../Page.jsx';

const RSC_SUFFIX = '_.rsc';

export default {
  fetch: (request) => withRequestScope(() => handle(request)),
};

async function handle(request) {
  const url = new URL(request.url);
  const wantsFlight = url.pathname.endsWith(RSC_SUFFIX);
  if (wantsFlight) url.pathname = url.pathname.slice(0, -RSC_SUFFIX.length);

  let returnValue;
  let temporaryReferences;
  if (request.method === 'POST') {
    const actionId = request.headers.get('x-rsc-action');
    if (actionId) {
      // Called by the browser after hydration (setServerCallback in entry.browser.jsx).
      const contentType = request.headers.get('content-type') ?? '';
      const body = contentType.startsWith('multipart/form-data') ? await request.formData() : await request.text();
      temporaryReferences = createTemporaryReferenceSet();
      const args = await decodeReply(body, { temporaryReferences });
      const action = await loadServerAction(actionId);
      returnValue = await action(...args);
    } else {
      // A <form action={...}> posted before hydration (or without JavaScript).
      const action = await decodeAction(await request.formData());
      await action();
    }
  }

  const stream = renderToReadableStream({ root: <Page />, returnValue }, { temporaryReferences });
  if (wantsFlight) {
    return new Response(stream, { headers: { 'content-type': 'text/x-component;charset=utf-8' } });
  }
  const ssr = await import.meta.viteRsc.loadModule('ssr', 'index');
  const html = await ssr.renderHtml(stream);
  return new Response(html, { headers: { 'content-type': 'text/html;charset=utf-8' } });
}
