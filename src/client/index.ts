// The client-layer entry (`babel-plugin-use-cache/client`): what compiled client modules import
// (`createServerReference`, `callServer`) and how an app installs its transport (`setCallServer`).
//
// `react-server-dom-webpack/client` resolves per environment: the browser build when webpack
// bundles for the browser, the Node build in Node (tests, SSR).

// Typed where used below (src/types/react-server-dom-webpack.d.ts declares the module).
import * as flightClient from 'react-server-dom-webpack/client';

/** Sends a call of the server reference `id` with `args` to the server; resolves to its result. */
export type CallServer = (id: string, args: unknown[]) => Promise<unknown>;

/** A client-side stand-in for a server function: calling it calls the server. */
export type ServerReference = (...args: unknown[]) => Promise<unknown>;

const registerServerReference = (
  flightClient as unknown as {
    registerServerReference<T extends Function>(reference: T, id: string): T;
  }
).registerServerReference;

/**
 * A function standing for the server reference `id`: calling it calls `callServer(id, args)`.
 * It is registered with react-server-dom-webpack's client, so it can be passed to `encodeReply`,
 * used as a `<form action>` (progressive enhancement included), `.bind()`-ed and given to
 * `useActionState`, exactly like the references that `createFromFetch` decodes.
 *
 * (Built on the client's `registerServerReference` rather than its `createServerReference`
 * because the Node build's `createServerReference` ignores `callServer`.)
 */
export function createServerReference(id: string, callServer: CallServer): ServerReference {
  if (typeof callServer !== 'function') {
    throw new TypeError(
      `babel-plugin-use-cache/client: createServerReference("${id}", callServer) needs a callServer function`,
    );
  }
  const reference: ServerReference = (...args) => callServer(id, args);
  return registerServerReference(reference, id);
}

let installed: CallServer | null = null;

/**
 * Installs the app's transport for server function calls. Call it once in the client entry,
 * before anything can call an action; pass the same `callServer` exported here to
 * `createFromFetch(..., { callServer })` so references in Flight payloads use it too.
 */
export function setCallServer(fn: CallServer): void {
  if (typeof fn !== 'function') {
    throw new TypeError(
      'babel-plugin-use-cache/client: setCallServer(fn) needs a function (id, args) => Promise<result>',
    );
  }
  installed = fn;
}

/** The `callServer` compiled client modules use: delegates to the function given to setCallServer. */
export function callServer(id: string, args: unknown[]): Promise<unknown> {
  if (installed === null) {
    return Promise.reject(
      new Error(
        `babel-plugin-use-cache/client: server function ${id} was called before a transport was installed. ` +
          "Call setCallServer((id, args) => ...) from 'babel-plugin-use-cache/client' in your client entry, " +
          'before rendering anything that can call a server function.',
      ),
    );
  }
  return installed(id, args);
}
