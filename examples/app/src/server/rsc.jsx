// Entry of the server bundle (built with the `react-server` condition). Everything that needs
// React's server instance lives here; server/http.mjs only does HTTP.
import { decodeAction, decodeReply, renderToPipeableStream } from 'react-server-dom-webpack/server';
import { Page } from '../Page.jsx';

// The runtime bundled with the app's cached functions: its counts are the ones to show on /stats.
export { cacheStats } from 'babel-plugin-use-cache/runtime';
// One request scope per page render and Server Action: 'use cache: private' entries live in it.
import { withRequestScope } from 'babel-plugin-use-cache/runtime';

const SERVER_REFERENCE = Symbol.for('react.server.reference');

/** Errors whose message is safe to show the caller; anything else is reported as a plain 500. */
/** The `code` of an error (Node's and the runtime's errors carry one), if any. */
const codeOf = (error) => (typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined);

export class ActionError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ActionError';
    this.status = status;
  }
}

/**
 * @param {object} manifests
 * @param {Record<string, {id: string|number, chunks: unknown[], name: string}>} manifests.clientManifest
 *   react-client-manifest.json from the browser build (client component file URL -> chunk).
 * @param {Record<string, {id: string|number, chunks: unknown[], name: string, kind: string}>} manifests.serverManifest
 *   server-references.json from the server build (reference id -> webpack module id + export name),
 *   made from the plugin's `metadata.serverReferences`.
 * @param {(error: unknown) => void} [manifests.onError]
 */
export function createRsc({ clientManifest, serverManifest, onError = console.error }) {
  /** The function registered under `id`, found through the manifest (never by a path from the request). */
  function loadServerReference(id) {
    if (typeof id !== 'string' || !Object.hasOwn(serverManifest, id)) {
      throw new ActionError(404, 'Unknown Server Action');
    }
    const entry = serverManifest[id];
    // Server code is bundled, so webpack's own require loads the module by its id.
    const moduleExports = __webpack_require__(entry.id);
    const fn = moduleExports[entry.name];
    // Only what the runtime registered under this very id (serverReference / cacheFunction).
    if (typeof fn !== 'function' || fn.$$typeof !== SERVER_REFERENCE || fn.$$id !== id) {
      throw new ActionError(404, 'Unknown Server Action');
    }
    return fn;
  }

  function render(model) {
    return renderToPipeableStream(model, clientManifest, { onError });
  }

  return {
    /** Flight stream of the page at `url` (a URL object). */
    renderPage(url) {
      return withRequestScope(() => render(<Page searchParams={url.searchParams} />));
    },

    /**
     * Runs the action `id` with the encoded arguments `body` (a string or FormData from the
     * client's `encodeReply`), then renders `{ returnValue, root }` where root is the page after
     * the action.
     */
    runAction(id, body, url) {
      return withRequestScope(() => runActionInScope(id, body, url));
    },

    /** Runs the Server Action a `<form action={serverAction}>` posted without JavaScript. */
    runFormAction(formData) {
      return withRequestScope(() => runFormActionInScope(formData));
    },
  };

  async function runActionInScope(id, body, url) {
    const action = loadServerReference(id);
    let args;
    try {
      args = await decodeReply(body, serverManifest);
    } catch {
      throw new ActionError(400, 'Malformed action arguments');
    }
    if (!Array.isArray(args)) throw new ActionError(400, 'Malformed action arguments');
    let returnValue;
    try {
      returnValue = await action(...args);
    } catch (error) {
      // decryptBound rejects tampered, truncated or foreign captured values before the body runs.
      if (codeOf(error) === 'ERR_INVALID_BOUND_ARGUMENTS') throw new ActionError(400, 'Invalid bound arguments');
      throw error;
    }
    return render({ returnValue, root: <Page searchParams={url.searchParams} /> });
  }

  /** The fields React rendered into the form name the action and carry its bound arguments. */
  async function runFormActionInScope(formData) {
    let action;
    try {
      action = await decodeAction(formData, serverManifest);
    } catch {
      throw new ActionError(400, 'Malformed form action');
    }
    if (typeof action !== 'function') throw new ActionError(400, 'Not a Server Action form');
    try {
      await action();
    } catch (error) {
      if (codeOf(error) === 'ERR_INVALID_BOUND_ARGUMENTS') throw new ActionError(400, 'Invalid bound arguments');
      throw error;
    }
  }
}
