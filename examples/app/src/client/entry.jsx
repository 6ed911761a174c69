// Browser entry: hydrates the server-rendered page from the Flight payload inlined in it, and
// installs the `callServer` that the plugin's client-layer stubs (and server references inside the
// payload) use.
import { startTransition } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { createFromFetch, createFromReadableStream, encodeReply } from 'react-server-dom-webpack/client';
import { setCallServer } from 'babel-plugin-use-cache/client';
import { Root } from './Root.jsx';

const FLIGHT = 'text/x-component';
// Must match server/http.mjs.
const ACTION_HEADER = 'x-rsc-action';
const FLIGHT_DATA_ID = 'flight-data';

/** @type {{ current: (tree: unknown) => void }} */
const treeSetter = { current: () => {} };

async function checkedResponse(responsePromise) {
  const response = await responsePromise;
  if (!response.ok) {
    throw new Error(`${response.status} ${(await response.text()).slice(0, 200)}`);
  }
  return response;
}

function fetchFlight(init) {
  return checkedResponse(fetch(location.pathname + location.search, init));
}

async function callServer(id, args) {
  const body = await encodeReply(args);
  const response = fetchFlight({ method: 'POST', headers: { Accept: FLIGHT, [ACTION_HEADER]: id }, body });
  // The server answers with the action's return value and the page rendered after the action ran
  // (so a revalidateTag inside the action shows at once).
  const { returnValue, root } = await createFromFetch(response, { callServer });
  startTransition(() => treeSetter.current(root));
  return returnValue;
}

setCallServer(callServer);

/** The payload the server rendered the HTML from (so hydration sees the very same tree). */
function inlinedFlight() {
  const script = document.getElementById(FLIGHT_DATA_ID);
  if (script === null) return createFromFetch(fetchFlight({ headers: { Accept: FLIGHT } }), { callServer });
  const text = JSON.parse(script.textContent);
  return createFromReadableStream(new Response(text).body, { callServer });
}

hydrateRoot(
  /** @type {HTMLElement} */ (document.getElementById('root')),
  <Root initial={inlinedFlight()} treeSetter={treeSetter} />,
);
