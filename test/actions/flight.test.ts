// The whole path of an inline server action with a captured secret, as a framework runs it:
// render the page to Flight, decode it on the "browser" side, call the action back through
// encodeReply -> decodeReply -> lookup by id, and the no-JavaScript form post through decodeAction.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsx } from 'react/jsx-runtime';
import { webpackModules } from './webpack-globals.js';
// @ts-ignore -- no type declarations
import { decodeAction, decodeReply, renderToReadableStream } from 'react-server-dom-webpack/server';
// The browser build: its decoded server references call `callServer` (the Node build's do not).
// @ts-ignore -- no type declarations
import { createFromReadableStream as browserDecode, encodeReply } from 'react-server-dom-webpack/client.browser';
// The Node build, as react-dom/server uses it for SSR (forms get their no-JS encoding here).
// @ts-ignore -- no type declarations
import { createFromReadableStream as ssrDecode } from 'react-server-dom-webpack/client';
import { setEncryptionKey } from 'babel-plugin-use-cache/runtime';
import * as page from './fixtures/secret-form.js';
import { flipChar } from './helpers.js';

type Fn = (...args: unknown[]) => Promise<unknown>;
type Element = { type: string; props: Record<string, unknown> & { action: Fn & { $$FORM_ACTION(prefix: string): { name: string; data: FormData } } } };

// ---- the server half of a tiny framework ------------------------------------------------------

const MODULE_ID = 'test/actions/fixtures/secret-form.ts';
/** What a bundler would emit: module id -> module exports (here: already imported). */
webpackModules.set(MODULE_ID, page);
/** react-server-dom-webpack's server manifest: reference id -> { module id, chunks, export }. */
const serverManifest = {
  [page.SAVE_ID]: { id: MODULE_ID, chunks: [], name: '$$server_0' },
  [page.OTHER_ID]: { id: MODULE_ID, chunks: [], name: '$$server_1' },
};

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function render(model: unknown): ReadableStream<Uint8Array> {
  return renderToReadableStream(model, {}, { onError: (error: unknown) => console.error(error) });
}

/** POST /action with the action id in a header and an encodeReply body. */
async function handleActionRequest(id: string, body: string | FormData): Promise<ReadableStream<Uint8Array>> {
  const entry = serverManifest[id];
  if (entry === undefined) throw new Error(`unknown server action ${id}`);
  const fn = webpackModules.get(entry.id)![entry.name] as Fn;
  const args = (await decodeReply(body, serverManifest)) as unknown[];
  const result = await fn(...args);
  return render(result);
}

// ---- the browser half --------------------------------------------------------------------------

const sentBodies: Array<string | FormData> = [];
async function callServer(id: string, args: unknown[]): Promise<unknown> {
  const body = await encodeReply(args);
  sentBodies.push(body);
  return browserDecode(await handleActionRequest(id, body), { callServer });
}

/** The base64url strings in a payload that are not reference ids: the sealed bound arguments. */
function ciphertexts(payload: string): string[] {
  return [...payload.matchAll(/"([A-Za-z0-9_-]{40,})"/g)].map((m) => m[1]!).filter((s) => !/^[0-9a-f]{64}$/.test(s));
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

beforeAll(() => {
  setEncryptionKey(Buffer.alloc(32, 7));
});
beforeEach(() => {
  page.received.length = 0;
  sentBodies.length = 0;
});

/** What react-dom/server does with a form action: $$FORM_ACTION, retried while it suspends. */
async function encodeFormAction(action: Element['props']['action'], prefix: string) {
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
 * The body a browser posts for the page's form without JavaScript: SSR decodes the payload with
 * the Node client and react-dom/server writes the hidden fields from $$FORM_ACTION (prefix '1').
 */
async function noScriptFormPost(payload: Uint8Array, name: string, edit = (value: string) => value): Promise<FormData> {
  const form = (await ssrDecode(new Blob([payload]).stream(), {
    serverConsumerManifest: { moduleMap: null, serverModuleMap: null, moduleLoading: null },
  })) as Element;
  const encoded = await encodeFormAction(form.props.action, '1');
  const body = new FormData();
  body.append(encoded.name, '');
  encoded.data.forEach((value, key) => body.append(key, typeof value === 'string' ? edit(value) : value));
  body.append('name', name);
  return body;
}

async function renderPage(component: () => Promise<unknown>): Promise<Uint8Array> {
  return readAll(render(jsx(component, {})));
}

describe('an inline server action capturing a secret', () => {
  it('never puts the secret in the Flight payload', async () => {
    const payload = text(await renderPage(page.Page));
    expect(payload).toContain(page.SAVE_ID);
    expect(payload).not.toContain(page.SECRET);
    expect(payload).not.toContain('TOP-SECRET');
    // The bound argument is the ciphertext string.
    expect(ciphertexts(payload)).toHaveLength(1);
  });

  it('runs with the captured values when the browser calls it (encodeReply -> decodeReply -> id)', async () => {
    const payload = await renderPage(page.Page);
    const form = (await browserDecode(new Blob([payload]).stream(), { callServer })) as Element;
    expect(form.type).toBe('form');
    const formData = new FormData();
    formData.set('name', 'Ada');
    const result = await form.props.action(formData);
    expect(result).toBe('saved Ada for user 7');
    expect(page.received).toEqual([{ secret: page.SECRET, user: { id: 7, since: new Date(0) }, name: 'Ada' }]);
    // What went over the wire carries no secret either.
    for (const body of sentBodies) {
      const entries = typeof body === 'string' ? [body] : [...body.values()].map(String);
      for (const entry of entries) expect(entry).not.toContain(page.SECRET);
    }
  });

  it('runs with the captured values from a no-JavaScript form post (decodeAction)', async () => {
    const body = await noScriptFormPost(await renderPage(page.Page), 'Grace');
    expect(body.has('$ACTION_REF_1')).toBe(true);
    for (const value of body.values()) expect(String(value)).not.toContain(page.SECRET);
    const action = (await decodeAction(body, serverManifest)) as Fn;
    expect(await action()).toBe('saved Grace for user 7');
    expect(page.received).toEqual([{ secret: page.SECRET, user: { id: 7, since: new Date(0) }, name: 'Grace' }]);
  });

  it('rejects a tampered bound argument and never runs the body', async () => {
    let tampered = 0;
    const body = await noScriptFormPost(await renderPage(page.Page), 'Mallory', (value) => {
      for (const sealed of ciphertexts(value)) {
        tampered++;
        value = value.replace(sealed, flipChar(sealed, 45));
      }
      return value;
    });
    expect(tampered).toBe(1);
    const action = (await decodeAction(body, serverManifest)) as Fn;
    await expect(action()).rejects.toThrow(`Invalid or tampered bound arguments for server action ${page.SAVE_ID}`);
    expect(page.received).toEqual([]);
  });

  it('rejects one action\'s ciphertext replayed into another action', async () => {
    const payload = await renderPage(page.Page);
    const form = (await browserDecode(new Blob([payload]).stream(), { callServer })) as Element;
    // Capture the body the browser would send for `save`, then post it to the other action's id.
    const replay = async (id: string, args: unknown[]) => handleActionRequest(id === page.SAVE_ID ? page.OTHER_ID : id, await encodeReply(args));
    const replayed = (await browserDecode(new Blob([payload]).stream(), { callServer: replay })) as Element;
    await expect(replayed.props.action(new FormData())).rejects.toThrow(`Invalid or tampered bound arguments for server action ${page.OTHER_ID}`);
    expect(page.received).toEqual([]);
    // The genuine call still works.
    const formData = new FormData();
    formData.set('name', 'Ada');
    await expect(form.props.action(formData)).resolves.toBe('saved Ada for user 7');
  });

  it('works for the other action too (one captured value)', async () => {
    const payload = await renderPage(page.Other);
    expect(text(payload)).not.toContain('admin');
    const form = (await browserDecode(new Blob([payload]).stream(), { callServer })) as Element;
    expect(await form.props.action()).toBe('other done');
    expect(page.received).toEqual([{ role: 'admin' }]);
  });
});

describe('serverReference', () => {
  it('registers the function as a server reference with its id and returns it', async () => {
    expect(page.$$server_0).toBeTypeOf('function');
    const reference = page.$$server_0 as unknown as { $$typeof: symbol; $$id: string; $$bound: unknown };
    expect(reference.$$typeof).toBe(Symbol.for('react.server.reference'));
    expect(reference.$$id).toBe(page.SAVE_ID);
    expect(reference.$$bound).toBeNull();
    const bound = page.$$server_0.bind(null, Promise.resolve('x')) as unknown as { $$id: string; $$bound: unknown[] };
    expect(bound.$$id).toBe(page.SAVE_ID);
    expect(bound.$$bound).toHaveLength(1);
  });

  it('refuses a non-function', async () => {
    const { serverReference } = await import('babel-plugin-use-cache/runtime');
    expect(() => serverReference('x', 42 as unknown as Function)).toThrow(/needs a function/);
  });
});
