// configureCache({ flight }): the runtime serialises with the React Server DOM build it is given
// (e.g. the one a bundler vendors) instead of react-server-dom-webpack. Here the given build is
// react-server-dom-webpack itself behind counting wrappers, so what goes through it is visible.
import * as rsdwClient from 'react-server-dom-webpack/client';
import * as rsdwServer from 'react-server-dom-webpack/server';
import { createElement } from 'react';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  cacheFunction,
  configureCache,
  resetCache,
  serverReference,
  type FlightBuild,
} from '../../src/runtime/index.js';
import { uid } from './helpers.js';

type Fn = (...args: unknown[]) => unknown;

function countingBuild(version?: string) {
  const calls: string[] = [];
  const wrap = (half: Record<string, unknown>, names: string[]) =>
    Object.fromEntries(
      names.map((name) => [
        name,
        (...args: unknown[]) => {
          calls.push(name);
          return (half[name] as Fn)(...args);
        },
      ]),
    );
  const build = {
    server: wrap(rsdwServer as Record<string, unknown>, [
      'renderToReadableStream',
      'decodeReply',
      'createTemporaryReferenceSet',
      'registerServerReference',
    ]),
    client: wrap(rsdwClient as Record<string, unknown>, [
      'encodeReply',
      'createFromReadableStream',
      'createTemporaryReferenceSet',
    ]),
    version,
  } as unknown as FlightBuild;
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
});
