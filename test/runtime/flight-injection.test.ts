// configureCache({ flight }): the runtime serialises with the React Server DOM build it is given
// (e.g. the one a bundler vendors) instead of react-server-dom-webpack. Here the given build is
// react-server-dom-webpack itself with manifests bound (as a bundler's RSC runtime binds its own)
// behind counting wrappers, so what goes through it is visible.
import { spawnSync } from 'node:child_process';
import * as rsdwClient from 'react-server-dom-webpack/client';
import * as rsdwServer from 'react-server-dom-webpack/server';
import { createElement, type ReactNode } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  cacheFunction,
  configureCache,
  resetCache,
  serverReference,
  type FlightBuild,
} from '../../src/runtime/index.js';
import { PLUGIN } from '../cli/built.js';
import { uid } from './helpers.js';

type Fn = (...args: unknown[]) => unknown;
const server = rsdwServer as Record<string, Fn>;
const client = rsdwClient as Record<string, Fn>;

/** react-server-dom-webpack's halves as a bundler exposes them: called without manifests. */
const boundBuild: Record<'server' | 'client', Record<string, Fn>> = {
  server: {
    renderToReadableStream: (model, options) => server.renderToReadableStream!(model, {}, options),
    decodeReply: (body, options) => server.decodeReply!(body, {}, options),
    createTemporaryReferenceSet: server.createTemporaryReferenceSet!,
    registerServerReference: server.registerServerReference!,
  },
  client: {
    encodeReply: client.encodeReply!,
    createFromReadableStream: (stream, options) =>
      client.createFromReadableStream!(stream, {
        serverConsumerManifest: { moduleMap: null, serverModuleMap: null, moduleLoading: null },
        ...(options as object),
      }),
    createTemporaryReferenceSet: client.createTemporaryReferenceSet!,
  },
};

function countingBuild(version?: string) {
  const calls: string[] = [];
  const wrap = (half: Record<string, Fn>) =>
    Object.fromEntries(
      Object.entries(half).map(([name, fn]) => [
        name,
        (...args: unknown[]) => {
          calls.push(name);
          return fn(...args);
        },
      ]),
    );
  const build = { server: wrap(boundBuild.server), client: wrap(boundBuild.client), version } as unknown as FlightBuild;
  return { build, calls };
}

beforeEach(() => resetCache());

describe('configureCache({ flight })', () => {
  it('keys, stored values and decoded hits go through the given build', async () => {
    const { build, calls } = countingBuild('test-build');
    configureCache({ flight: build });
    let runs = 0;
    const card = cacheFunction(uid(), 'default', async (props: { title: string }) => {
      runs++;
      return createElement('section', null, props.title);
    });
    const first = (await card({ title: 'A' })) as { type: string; props: { children: string } };
    const second = (await card({ title: 'A' })) as { type: string; props: { children: string } };
    expect(runs).toBe(1);
    expect([first.type, first.props.children]).toEqual(['section', 'A']);
    expect([second.type, second.props.children]).toEqual(['section', 'A']);
    expect(calls).toEqual(
      expect.arrayContaining(['encodeReply', 'decodeReply', 'renderToReadableStream', 'createFromReadableStream']),
    );
  });

  it('server references are registered by the given build', () => {
    const { build, calls } = countingBuild();
    configureCache({ flight: build });
    const action = serverReference(uid(), async () => 1) as unknown as { $$id: string };
    expect(calls).toContain('registerServerReference');
    expect(typeof action.$$id).toBe('string');
  });

  it("the build's version is part of every key: entries of one build are not read by another", async () => {
    const id = uid();
    let runs = 0;
    const f = cacheFunction(id, 'default', async (x: number) => ++runs + x);
    configureCache({ flight: countingBuild('one').build });
    expect(await f(1)).toBe(2);
    expect(await f(1)).toBe(2);
    configureCache({ flight: countingBuild('two').build });
    expect(await f(1)).toBe(3);
    configureCache({ flight: null }); // back to react-server-dom-webpack
    expect(await f(1)).toBe(4);
  });

  it('an incomplete build is a TypeError naming what is missing, and changes nothing', async () => {
    const { build, calls } = countingBuild();
    expect(() => configureCache({ flight: { server: build.server, client: {} } as unknown as FlightBuild })).toThrow(
      /flight must be \{ server, client \} .*missing client\.encodeReply, client\.createFromReadableStream, client\.createTemporaryReferenceSet/,
    );
    const f = cacheFunction(uid(), 'default', async (o: { a: number }) => o.a);
    expect(await f({ a: 1 })).toBe(1);
    expect(calls).toEqual([]);
  });

  it("children passed in are opaque slots through the given build, filled with each caller's own", async () => {
    configureCache({ flight: countingBuild('test-build').build });
    let runs = 0;
    const shell = cacheFunction(uid(), 'default', async (props: { children: ReactNode }) => {
      runs++;
      return createElement('main', null, props.children);
    });
    type Main = { props: { children: { type: string } } };
    const first = (await shell({ children: createElement('b', null, 'one') })) as Main;
    const second = (await shell({ children: createElement('i', null, 'two') })) as Main;
    expect(runs).toBe(1);
    expect([first.props.children.type, second.props.children.type]).toEqual(['b', 'i']);
  });
});

describe('react-server-dom-webpack is loaded on first use', () => {
  it('the runtime imports where it cannot load (no react-server condition); its first use says what to set', () => {
    // A plain Node process: react-server-dom-webpack/server refuses to load there.
    const script = `
      const runtime = await import('babel-plugin-use-cache/runtime');
      console.log('imported');
      // Defining a cached function registers it as a server reference: the first Flight call.
      try { runtime.cacheFunction('f', 'default', async (o) => o.a); } catch (error) { console.log('error: ' + error.message); }
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: PLUGIN.replace(/dist[\\/]plugin[\\/]index\.js$/, ''),
      env: { ...process.env, NODE_OPTIONS: '' },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^imported\nerror: .*--conditions react-server/);
  });
});
