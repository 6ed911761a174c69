// The same path as flight.test.ts, with modules compiled by the plugin itself: a server
// component with inline actions (server layer), and a file-level 'use server' module in both
// layers. The server manifest is built from the plugin's metadata.serverReferences.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { transformFileAsync } from '@babel/core';
import { jsx } from 'react/jsx-runtime';
import plugin from '../../src/plugin/index.js';
import { webpackModules } from './webpack-globals.js';
// @ts-expect-error -- no type declarations
import { decodeAction } from 'react-server-dom-webpack/server';
import { setCallServer } from 'babel-plugin-use-cache/client';
import { setEncryptionKey } from 'babel-plugin-use-cache/runtime';
import {
  ciphertexts,
  createActionEndpoint,
  createCallServer,
  decodeForSsr,
  decodeInBrowser,
  noScriptFormPost,
  renderToBytes,
  text,
  type Fn,
  type FormAction,
  type ServerManifest,
} from './framework.js';
import { flipChar } from './helpers.js';
import { serverReferencesOf } from '../support/metadata.js';
import type { ServerReferenceMeta } from '../../src/plugin/index.js';
import type { ReactNode } from 'react';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/plugin/', import.meta.url));
const SECRET = 'sk_live_PLUGIN-SECRET-9001';

type Button = { props: { formAction: FormAction } };
type Form = { type: string; props: { action: FormAction; children: [unknown, Button] } };

let outDir: string;
const serverManifest: ServerManifest = {};
const references: Record<string, ServerReferenceMeta[]> = {};
let page: { Page: () => Promise<ReactNode> };
let clientActions: { rename: Fn; default: Fn };
let received: unknown[];

/** Compiles a fixture into outDir, registers it as a module, adds its references to the manifest. */
async function compile(file: string, layer: 'server' | 'client', outName: string) {
  const result = await transformFileAsync(path.join(FIXTURES, file), {
    root: ROOT,
    babelrc: false,
    configFile: false,
    presets: [['@babel/preset-react', { runtime: 'automatic' }]],
    plugins: [[plugin, { layer }]],
  });
  const outFile = path.join(outDir, outName);
  writeFileSync(outFile, result!.code!);
  const refs = serverReferencesOf(result);
  references[`${layer}:${file}`] = refs;
  const exports = (await import(pathToFileURL(outFile).href)) as Record<string, unknown>;
  if (layer === 'server') {
    const moduleId = path.relative(ROOT, outFile);
    webpackModules.set(moduleId, exports);
    for (const ref of refs) serverManifest[ref.id] = { id: moduleId, chunks: [], name: ref.exportName };
  }
  return exports;
}

beforeAll(async () => {
  setEncryptionKey(Buffer.alloc(32, 9));
  // Inside the repository so that the compiled code resolves react and the runtime aliases.
  outDir = mkdtempSync(path.join(fileURLToPath(new URL('.', import.meta.url)), '.compiled-'));
  copyFileSync(path.join(FIXTURES, 'log.js'), path.join(outDir, 'log.js'));
  ({ received } = (await import(pathToFileURL(path.join(outDir, 'log.js')).href)) as { received: unknown[] });
  page = (await compile('page.jsx', 'server', 'page.server.js')) as typeof page;
  await compile('actions.js', 'server', 'actions.server.js');
  clientActions = (await compile('actions.js', 'client', 'actions.client.js')) as unknown as typeof clientActions;
});
afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});
beforeEach(() => {
  received.length = 0;
});

const endpoint = createActionEndpoint(serverManifest);
const { callServer, sent } = createCallServer(endpoint);

describe('inline actions compiled by the plugin', () => {
  it('reports both inline actions, each with captures', () => {
    const refs = references['server:page.jsx']!;
    expect(refs.map((r) => [r.kind, r.level, r.exportName])).toEqual([
      ['server', 'inline', '$$server_0'],
      ['server', 'inline', '$$server_1'],
    ]);
    for (const ref of refs) expect(ref.captures.length).toBeGreaterThan(0);
  });

  it('keep the secret out of the Flight payload and run with it when the browser calls them', async () => {
    const payload = await renderToBytes(jsx(page.Page, {}));
    expect(text(payload)).not.toContain(SECRET);
    expect(ciphertexts(text(payload))).toHaveLength(2);

    const form = await decodeInBrowser<Form>(payload, callServer);
    const formData = new FormData();
    formData.set('name', 'Ada');
    expect(await form.props.action(formData)).toBe('saved Ada for 7');
    await form.props.children[1].props.formAction(new FormData());
    expect(received).toEqual([{ secret: SECRET, since: new Date(0), name: 'Ada' }, { other: SECRET.length }]);
    for (const body of sent)
      expect(typeof body === 'string' ? body : [...body.values()].map(String).join()).not.toContain(SECRET);
  });

  it('run from a no-JavaScript form post and refuse a tampered one', async () => {
    const form = await decodeForSsr<Form>(await renderToBytes(jsx(page.Page, {})));
    const genuine = await noScriptFormPost(form.props.action, { name: 'Grace' });
    expect(await ((await decodeAction(genuine, serverManifest)) as Fn)()).toBe('saved Grace for 7');
    expect(received).toEqual([{ secret: SECRET, since: new Date(0), name: 'Grace' }]);

    const forged = await noScriptFormPost(form.props.action, { name: 'Mallory' }, (value) =>
      ciphertexts(value).reduce((v, sealed) => v.replace(sealed, flipChar(sealed, 50)), value),
    );
    const action = (await decodeAction(forged, serverManifest)) as Fn;
    await expect(action()).rejects.toThrow('Invalid or tampered bound arguments for server action');
    expect(received).toHaveLength(1);
  });
});

describe("a file-level 'use server' module compiled for both layers", () => {
  it('gets the same ids in both layers', () => {
    const server = references['server:actions.js']!.map((r) => [r.exportName, r.id]);
    const client = references['client:actions.js']!.map((r) => [r.exportName, r.id]);
    expect(server.map((r) => r[0])).toEqual(['rename', 'default']);
    expect(client).toEqual(server);
  });

  it('client stubs call the server functions through setCallServer', async () => {
    setCallServer(callServer);
    expect(await clientActions.rename('a.txt', 'b.txt')).toBe('a.txt -> b.txt');
    expect(await clientActions.default(21)).toBe(42);
    expect(received).toEqual([{ rename: ['a.txt', 'b.txt'] }, { default: 21 }]);
  });
});
