// The whole path of an inline server action with a captured secret, as a framework runs it:
// render the page to Flight, decode it on the "browser" side, call the action back through
// encodeReply -> decodeReply -> lookup by id, and the no-JavaScript form post through decodeAction.
// The page module is hand-written in the compiled shape (plugin.test.ts compiles one).
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReactNode } from 'react';
import { jsx } from 'react/jsx-runtime';
import { webpackModules } from './webpack-globals.js';
// @ts-expect-error -- no type declarations
import { decodeAction } from 'react-server-dom-webpack/server';
import { setEncryptionKey } from 'babel-plugin-use-cache/runtime';
import * as page from './fixtures/secret-form.js';
import {
  ciphertexts,
  createActionEndpoint,
  createCallServer,
  decodeForSsr,
  decodeInBrowser,
  encodeReply,
  noScriptFormPost,
  renderToBytes,
  text,
  type Fn,
  type FormAction,
} from './framework.js';
import { flipChar } from './helpers.js';

type Form = { type: string; props: { action: FormAction } };

const MODULE_ID = 'test/actions/fixtures/secret-form.ts';
webpackModules.set(MODULE_ID, page);
const serverManifest = {
  [page.SAVE_ID]: { id: MODULE_ID, chunks: [], name: '$$server_0' },
  [page.OTHER_ID]: { id: MODULE_ID, chunks: [], name: '$$server_1' },
};
const endpoint = createActionEndpoint(serverManifest);
const { callServer, sent } = createCallServer(endpoint);

beforeAll(() => {
  setEncryptionKey(Buffer.alloc(32, 7));
});
beforeEach(() => {
  page.received.length = 0;
  sent.length = 0;
});

const renderPage = (component: () => Promise<ReactNode>) => renderToBytes(jsx(component, {}));

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
    const form = await decodeInBrowser<Form>(await renderPage(page.Page), callServer);
    expect(form.type).toBe('form');
    const formData = new FormData();
    formData.set('name', 'Ada');
    expect(await form.props.action(formData)).toBe('saved Ada for user 7');
    expect(page.received).toEqual([{ secret: page.SECRET, user: { id: 7, since: new Date(0) }, name: 'Ada' }]);
    // What went over the wire carries no secret either.
    for (const body of sent) {
      const entries = typeof body === 'string' ? [body] : [...body.values()].map(String);
      for (const entry of entries) expect(entry).not.toContain(page.SECRET);
    }
  });

  it('runs with the captured values from a no-JavaScript form post (decodeAction)', async () => {
    const form = await decodeForSsr<Form>(await renderPage(page.Page));
    const body = await noScriptFormPost(form.props.action, { name: 'Grace' });
    expect(body.has('$ACTION_REF_1')).toBe(true);
    for (const value of body.values()) expect(String(value)).not.toContain(page.SECRET);
    const action = (await decodeAction(body, serverManifest)) as Fn;
    expect(await action()).toBe('saved Grace for user 7');
    expect(page.received).toEqual([{ secret: page.SECRET, user: { id: 7, since: new Date(0) }, name: 'Grace' }]);
  });

  it('rejects a tampered bound argument and never runs the body', async () => {
    const form = await decodeForSsr<Form>(await renderPage(page.Page));
    let tampered = 0;
    const body = await noScriptFormPost(form.props.action, { name: 'Mallory' }, (value) => {
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

  it("rejects one action's ciphertext replayed into another action", async () => {
    const payload = await renderPage(page.Page);
    // The body the browser sends for `save`, posted to the other action's id.
    const replay = async (id: string, args: unknown[]) =>
      endpoint(id === page.SAVE_ID ? page.OTHER_ID : id, await encodeReply(args));
    const replayed = await decodeInBrowser<Form>(payload, replay);
    await expect(replayed.props.action(new FormData())).rejects.toThrow(
      `Invalid or tampered bound arguments for server action ${page.OTHER_ID}`,
    );
    expect(page.received).toEqual([]);
    // The genuine call still works.
    const form = await decodeInBrowser<Form>(payload, callServer);
    const formData = new FormData();
    formData.set('name', 'Ada');
    await expect(form.props.action(formData)).resolves.toBe('saved Ada for user 7');
  });

  it('works for the other action too (one captured value)', async () => {
    const payload = await renderPage(page.Other);
    expect(text(payload)).not.toContain('admin');
    const form = await decodeInBrowser<Form>(payload, callServer);
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
