// Browser entry: fetches the Flight payload of the current URL, renders it, and installs the
// `callServer` that the plugin's client-layer stubs (and server references inside the payload) use.
import { Component, StrictMode, startTransition, use, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createFromFetch, encodeReply } from 'react-server-dom-webpack/client';
import { setCallServer } from 'babel-plugin-use-cache/client';

const FLIGHT = 'text/x-component';
// Must match server/http.mjs.
const ACTION_HEADER = 'x-rsc-action';

let setTree = () => {};

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
  startTransition(() => setTree(root));
  return returnValue;
}

setCallServer(callServer);

class ErrorBoundary extends Component {
  state = { error: null };
  static getDerivedStateFromError(error) {
    return { error };
  }
  render() {
    if (this.state.error) {
      return (
        <p role="alert" data-testid="app-error">
          Something went wrong: {String(this.state.error.message ?? this.state.error)}
        </p>
      );
    }
    return this.props.children;
  }
}

function isThenable(value) {
  return value !== null && typeof value === 'object' && typeof value.then === 'function';
}

function App({ initial }) {
  const [tree, setState] = useState(initial);
  setTree = setState;
  return isThenable(tree) ? use(tree) : tree;
}

const initial = createFromFetch(fetchFlight({ headers: { Accept: FLIGHT } }), { callServer });
createRoot(document.getElementById('root')).render(
  <StrictMode>
    <ErrorBoundary>
      <App initial={initial} />
    </ErrorBoundary>
  </StrictMode>,
);
