// The browser's entry: hydrates the server-rendered page from the Flight stream in it, and calls
// Server Actions with a POST to `<path>_.rsc`; the response is the page rendered after the action.
import {
  createFromFetch,
  createFromReadableStream,
  createTemporaryReferenceSet,
  encodeReply,
  setServerCallback,
} from '@vitejs/plugin-rsc/browser';
import { startTransition, useEffect, useState } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { rscStream } from 'rsc-html-stream/client';

let showPayload = () => {};

function BrowserRoot({ initial }) {
  const [payload, setPayload] = useState(initial);
  useEffect(() => {
    showPayload = (next) => startTransition(() => setPayload(next));
    document.documentElement.dataset.hydrated = '';
  }, []);
  return payload.root;
}

setServerCallback(async (id, args) => {
  const url = new URL(location.href);
  url.pathname += '_.rsc';
  const temporaryReferences = createTemporaryReferenceSet();
  const response = fetch(url, {
    method: 'POST',
    headers: { 'x-rsc-action': id },
    body: await encodeReply(args, { temporaryReferences }),
  });
  const payload = await createFromFetch(response, { temporaryReferences });
  showPayload(payload);
  return payload.returnValue;
});

async function main() {
  const initial = await createFromReadableStream(rscStream);
  hydrateRoot(document, <BrowserRoot initial={initial} />);
}

void main();
