// A tiny framework in one process, as the tests need it: the server half renders Flight and
// invokes server actions by id through a react-server-dom-webpack server manifest; the browser
// half decodes payloads with the browser client build and calls actions back through
// encodeReply. Module ids resolve through `webpackModules` (see webpack-globals.ts).
import { webpackModules } from './webpack-globals.js';
// @ts-expect-error -- no type declarations
import { decodeReply, renderToReadableStream } from 'react-server-dom-webpack/server';
// The browser build: its decoded server references call `callServer` (the Node build's do not).
// @ts-expect-error -- no type declarations
import { createFromReadableStream as browserDecode, encodeReply } from 'react-server-dom-webpack/client.browser';
// The Node build, as react-dom/server uses it for SSR (forms get their no-JS encoding here).
// @ts-expect-error -- no type declarations
import { createFromReadableStream as ssrDecode } from 'react-server-dom-webpack/client';

export type Fn = (...args: unknown[]) => Promise<unknown>;
export type FormAction = Fn & { $$FORM_ACTION(prefix: string): { name: string; data: FormData } };
export type ServerManifest = Record<string, { id: string; chunks: string[]; name: string }>;
export type CallServer = (id: string, args: unknown[]) => Promise<unknown>;

export { encodeReply };

export function render(model: unknown): ReadableStream<Uint8Array> {
  return renderToReadableStream(model, {}, { onError: (error: unknown) => console.error(error) });
}

export async function renderToBytes(model: unknown): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await new Response(render(model)).arrayBuffer());
}

export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** The base64url strings in a payload that are not reference ids: the sealed bound arguments. */
export function ciphertexts(payload: string): string[] {
  return [...payload.matchAll(/"([A-Za-z0-9_-]{40,})"/g)].map((m) => m[1]!).filter((s) => !/^[0-9a-f]{64}$/.test(s));
}

/** The server's action endpoint: id -> function through the manifest, arguments via decodeReply. */
export function createActionEndpoint(serverManifest: ServerManifest) {
  return async function handleActionRequest(id: string, body: string | FormData): Promise<ReadableStream<Uint8Array>> {
    const entry = serverManifest[id];
    if (entry === undefined) throw new Error(`unknown server action ${id}`);
    const fn = webpackModules.get(entry.id)?.[entry.name] as (Fn & { $$id?: string }) | undefined;
    if (typeof fn !== 'function' || fn.$$id !== id) throw new Error(`${id} is not a server reference`);
    const args = (await decodeReply(body, serverManifest)) as unknown[];
    return render(await fn(...args));
  };
}

/** The browser's callServer for an endpoint; records what it sent. */
export function createCallServer(
  endpoint: (id: string, body: string | FormData) => Promise<ReadableStream<Uint8Array>>,
) {
  const sent: Array<string | FormData> = [];
  const callServer: CallServer = async (id, args) => {
    const body = await encodeReply(args);
    sent.push(body);
    return browserDecode(await endpoint(id, body), { callServer });
  };
  return { callServer, sent };
}

/** A payload as the browser sees it (server references call `callServer`). */
export async function decodeInBrowser<T>(payload: Uint8Array<ArrayBuffer>, callServer: CallServer): Promise<T> {
  return (await browserDecode(new Blob([payload]).stream(), { callServer })) as T;
}

/** A payload as SSR sees it (the Node client build). */
export async function decodeForSsr<T>(payload: Uint8Array<ArrayBuffer>): Promise<T> {
  return (await ssrDecode(new Blob([payload]).stream(), {
    serverConsumerManifest: { moduleMap: null, serverModuleMap: null, moduleLoading: null },
  })) as T;
}

/** What react-dom/server does with a form action: $$FORM_ACTION, retried while it suspends. */
async function encodeFormAction(action: FormAction, prefix: string) {
  for (;;) {
    try {
      return action.$$FORM_ACTION(prefix);
    } catch (thrown) {
      if (typeof (thrown as PromiseLike<unknown>)?.then !== 'function') throw thrown;
      await thrown;
    }
  }
}

/**
 * The body a browser posts for a form without JavaScript: react-dom/server writes hidden fields
 * from $$FORM_ACTION (prefix '1'); `fields` are the user's inputs; `edit` may change the hidden ones.
 */
export async function noScriptFormPost(
  action: FormAction,
  fields: Record<string, string>,
  edit = (value: string) => value,
): Promise<FormData> {
  const encoded = await encodeFormAction(action, '1');
  const body = new FormData();
  body.append(encoded.name, '');
  encoded.data?.forEach((value, key) => body.append(key, typeof value === 'string' ? edit(value) : value));
  for (const [key, value] of Object.entries(fields)) body.append(key, value);
  return body;
}
