// The `ssr` environment's entry: turns the page's Flight stream into HTML and puts the stream into
// the page too, so the browser hydrates from it without a second request.
import { createFromReadableStream } from '@vitejs/plugin-rsc/ssr';
import { use } from 'react';
import { renderToReadableStream } from 'react-dom/server.edge';
import { injectRSCPayload } from 'rsc-html-stream/server';

export async function renderHtml(flightStream) {
  const [forHtml, forBrowser] = flightStream.tee();
  let payload;
  function Root() {
    payload ??= createFromReadableStream(forHtml);
    return use(payload).root;
  }
  const bootstrapScriptContent = await import.meta.viteRsc.loadBootstrapScriptContent('index');
  const html = await renderToReadableStream(<Root />, { bootstrapScriptContent });
  await html.allReady; // the complete page, cached parts and all
  return html.pipeThrough(injectRSCPayload(forBrowser));
}
