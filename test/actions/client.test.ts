// The client entry: stubs made by createServerReference call the transport installed with
// setCallServer, and are real react-server-dom-webpack references (encodeReply, bind, forms).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import './webpack-globals.js';
// @ts-expect-error -- no type declarations
import { decodeAction, decodeReply } from 'react-server-dom-webpack/server';
// The same build the client entry gets in Node.
// @ts-expect-error -- no type declarations
import { encodeReply } from 'react-server-dom-webpack/client';
import { callServer, createServerReference, setCallServer } from 'babel-plugin-use-cache/client';
import * as clientLayer from './fixtures/actions-client-layer.js';
import * as serverLayer from './fixtures/actions-server-layer.js';
import { webpackModules } from './webpack-globals.js';

type Fn = (...args: unknown[]) => Promise<unknown>;

const SERVER_MODULE = 'fixtures/actions-server-layer';
webpackModules.set(SERVER_MODULE, serverLayer as unknown as Record<string, unknown>);
const serverManifest: Record<string, { id: string; chunks: string[]; name: string }> = {
  [clientLayer.RENAME_ID]: { id: SERVER_MODULE, chunks: [], name: 'rename' },
  [clientLayer.DEFAULT_ID]: { id: SERVER_MODULE, chunks: [], name: 'default' },
};

/** The server endpoint: id -> function through the manifest, arguments through decodeReply. */
async function endpoint(id: string, body: string | FormData): Promise<unknown> {
  const entry = serverManifest[id];
  if (entry === undefined) throw new Error(`unknown server action ${id}`);
  const fn = webpackModules.get(entry.id)![entry.name] as Fn & { $$id?: string };
  if (fn.$$id !== id) throw new Error(`${id} is not a server reference`);
  return fn(...((await decodeReply(body, serverManifest)) as unknown[]));
}

beforeEach(() => {
  serverLayer.calls.length = 0;
});

describe('callServer before setCallServer', () => {
  it('rejects with an error that says what to do', async () => {
    vi.resetModules();
    const fresh = await import('../../src/client/index.js');
    await expect(fresh.callServer('abc', [])).rejects.toThrow(
      /server function abc was called before a transport was installed.*setCallServer/s,
    );
    const stub = fresh.createServerReference('abc', fresh.callServer);
    await expect(stub(1)).rejects.toThrow(/setCallServer/);
  });

  it('setCallServer and createServerReference refuse non-functions', () => {
    expect(() => setCallServer(null as unknown as Fn)).toThrow(/setCallServer\(fn\) needs a function/);
    expect(() => createServerReference('abc', undefined as unknown as Fn)).toThrow(/needs a callServer function/);
  });
});

describe('client-layer stubs', () => {
  it('call the installed transport with the id and arguments (the latest installed one)', async () => {
    const first = vi.fn(async () => 'first');
    const second = vi.fn(async () => 'second');
    setCallServer(first);
    expect(await clientLayer.rename('a', 'b')).toBe('first');
    setCallServer(second);
    expect(await clientLayer.default()).toBe('second');
    expect(first).toHaveBeenCalledWith(clientLayer.RENAME_ID, ['a', 'b']);
    expect(second).toHaveBeenCalledWith(clientLayer.DEFAULT_ID, []);
    expect(await callServer('zzz', [1])).toBe('second');
  });

  it('reach the server function through encodeReply -> decodeReply -> manifest', async () => {
    setCallServer(async (id, args) => endpoint(id, await encodeReply(args)));
    expect(await clientLayer.rename('old.txt', 'new.txt')).toBe('old.txt -> new.txt');
    expect(serverLayer.calls).toEqual([['rename', 'old.txt', 'new.txt']]);
  });

  it('keep bound arguments in front when bound', async () => {
    setCallServer(async (id, args) => endpoint(id, await encodeReply(args)));
    const bound = clientLayer.rename.bind(null, 'fixed');
    expect(await bound('second')).toBe('fixed -> second');
  });

  it('can be passed to another server function as an argument (decoded to the server function)', async () => {
    setCallServer(async (id, args) => endpoint(id, await encodeReply(args)));
    // The server receives `rename` itself (resolved through the manifest), and calls it.
    expect(await clientLayer.default(clientLayer.rename, 7)).toBe('x -> y');
    expect(serverLayer.calls).toEqual([
      ['default', 'function', 7],
      ['rename', 'x', 'y'],
    ]);
  });

  it('encode as no-JavaScript form actions that decodeAction resolves', async () => {
    const stub = clientLayer.rename as unknown as {
      $$FORM_ACTION(prefix: string): { name: string; data: FormData | null };
    };
    const encoded = stub.$$FORM_ACTION('1');
    expect(encoded.name).toBe(`$ACTION_ID_${clientLayer.RENAME_ID}`);
    const body = new FormData();
    body.append(encoded.name, '');
    body.append('title', 'hello');
    const action = (await decodeAction(body, serverManifest)) as Fn;
    await action();
    expect(serverLayer.calls[0]![0]).toBe('rename');
    expect(serverLayer.calls[0]![1]).toBeInstanceOf(FormData);
  });
});
