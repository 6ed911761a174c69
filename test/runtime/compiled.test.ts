// The runtime behind really compiled code: small sources go through @babel/core with this plugin
// (server layer, default runtime name, aliased to src/runtime by vitest.config.ts), are written
// to test/.out/runtime/, imported and called.
import { transformAsync } from '@babel/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import plugin from '../../src/plugin/index.js';
import { configureCache, resetCache, revalidateTag } from '../../src/runtime/index.js';
import { createElement, recordingHandler, renderFlight, settle, textOf, useFakeClock } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const outDir = join(root, 'test/.out/runtime');
mkdirSync(outDir, { recursive: true });

let counter = 0;
async function compile(source: string): Promise<Record<string, any>> {
  const name = `r${process.pid}-${counter++}`;
  const result = await transformAsync(source, {
    filename: join(root, 'src/app', `${name}.jsx`),
    root,
    cwd: root,
    configFile: false,
    babelrc: false,
    sourceType: 'module',
    presets: [['@babel/preset-react', { runtime: 'automatic' }]],
    plugins: [[plugin, {}]],
  });
  expect(result!.code).toContain('babel-plugin-use-cache/runtime');
  const file = join(outDir, `${name}.mjs`);
  writeFileSync(file, result!.code!);
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, any>;
}

beforeEach(() => resetCache());

describe("compiled 'use cache' code on the real runtime", () => {
  it('runs the body once per arguments; cacheLife and cacheTag from next/cache work; revalidateTag refreshes', async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    const m = await compile(`
      import { cacheLife, cacheTag } from 'next/cache';
      export const runs = { n: 0 };
      export async function getUser(id) {
        'use cache';
        cacheLife('hours');
        cacheTag('users', 'user-' + id);
        runs.n++;
        return { id, name: 'user ' + id, joined: new Date(0) };
      }
    `);
    const first = await m.getUser(1);
    expect(first).toEqual({ id: 1, name: 'user 1', joined: new Date(0) });
    expect(await m.getUser(1)).toEqual(first);
    expect(m.runs.n).toBe(1);
    await m.getUser(2);
    expect(m.runs.n).toBe(2);
    expect(recorder.sets[0]!.entry).toMatchObject({ revalidate: 3600, expire: 86400, tags: ['users', 'user-1'] });
    await revalidateTag('user-1');
    await m.getUser(1);
    await m.getUser(2);
    expect(m.runs.n).toBe(3);
    await revalidateTag('users');
    await m.getUser(1);
    await m.getUser(2);
    expect(m.runs.n).toBe(5);
  });

  it('a hit returns equal values that earlier callers cannot have mutated', async () => {
    const m = await compile(`
      export async function list() {
        'use cache';
        return { items: [1, 2, 3], meta: new Map([['count', 3]]) };
      }
    `);
    const a = await m.list();
    a.items.push(4);
    a.meta.set('count', 4);
    const b = await m.list();
    expect(b.items).toEqual([1, 2, 3]);
    expect(b.meta.get('count')).toBe(3);
  });

  it('captured values are part of the key', async () => {
    const m = await compile(`
      export const runs = { n: 0 };
      export function makeLoader(prefix) {
        return async function load(x) {
          'use cache';
          runs.n++;
          return prefix + ':' + x;
        };
      }
    `);
    const a = m.makeLoader('a');
    const a2 = m.makeLoader('a');
    const b = m.makeLoader('b');
    expect(await a('x')).toBe('a:x');
    expect(await a2('x')).toBe('a:x');
    expect(m.runs.n).toBe(1);
    expect(await b('x')).toBe('b:x');
    expect(await a('y')).toBe('a:y');
    expect(m.runs.n).toBe(3);
  });

  it('a cached component runs once for different children and shows the children of each render', async () => {
    const m = await compile(`
      export const runs = { n: 0 };
      export async function Layout({ title, children }) {
        'use cache';
        runs.n++;
        return <section><h1>{title}</h1>{children}</section>;
      }
      export function Page({ text }) {
        return <Layout title="Shell"><p>{text}</p></Layout>;
      }
    `);
    const one = await renderFlight(createElement(m.Page, { text: 'one' }));
    const two = await renderFlight(createElement(m.Page, { text: 'two' }));
    expect(textOf(one)).toBe('Shellone');
    expect(textOf(two)).toBe('Shelltwo');
    expect(m.runs.n).toBe(1);
  });

  it("file-level 'use cache' caches every exported async function; nesting passes lives and tags up", async () => {
    const recorder = recordingHandler();
    configureCache({ handlers: { default: recorder.handler } });
    const m = await compile(`
      'use cache';
      import { unstable_cacheLife as cacheLife, unstable_cacheTag as cacheTag } from 'next/cache';
      export async function price(sku) {
        cacheLife('minutes');
        cacheTag('price-' + sku);
        globalThis.__priceRuns = (globalThis.__priceRuns ?? 0) + 1;
        return sku.length * 100;
      }
      export const product = async (sku) => {
        globalThis.__productRuns = (globalThis.__productRuns ?? 0) + 1;
        return { sku, price: await price(sku) };
      };
    `);
    const g = globalThis as { __priceRuns?: number; __productRuns?: number };
    g.__priceRuns = 0;
    g.__productRuns = 0;
    expect(await m.product('abc')).toEqual({ sku: 'abc', price: 300 });
    expect(await m.product('abc')).toEqual({ sku: 'abc', price: 300 });
    expect([g.__productRuns, g.__priceRuns]).toEqual([1, 1]);
    // Inner (price) first, then outer (product): the outer took the inner's tag and life.
    const stored = recorder.sets.map(({ entry: { tags, revalidate, expire } }) => ({ tags, revalidate, expire }));
    expect(stored).toEqual([
      { tags: ['price-abc'], revalidate: 60, expire: 3600 },
      { tags: ['price-abc'], revalidate: 60, expire: 3600 },
    ]);
    await revalidateTag('price-abc');
    expect(await m.product('abc')).toEqual({ sku: 'abc', price: 300 });
    expect([g.__productRuns, g.__priceRuns]).toEqual([2, 2]);
  });

  it('stale-while-revalidate and expiry with a fake clock', async () => {
    const clock = useFakeClock();
    const m = await compile(`
      import { cacheLife } from 'next/cache';
      export const runs = { n: 0 };
      export async function now() {
        'use cache';
        cacheLife({ revalidate: 60, expire: 600 });
        return ++runs.n;
      }
    `);
    expect(await m.now()).toBe(1);
    clock.advance(61_000);
    expect(await m.now()).toBe(1);
    await settle();
    expect(await m.now()).toBe(2);
    clock.advance(601_000);
    expect(await m.now()).toBe(3);
  });

  it('1,000 concurrent calls run the body once; errors are not cached', async () => {
    const m = await compile(`
      export const runs = { n: 0, fail: 0 };
      export async function slow(x) {
        'use cache';
        runs.n++;
        await new Promise((r) => setTimeout(r, 10));
        return x * 2;
      }
      export async function failing() {
        'use cache';
        runs.fail++;
        throw new Error('nope');
      }
    `);
    const results = await Promise.all(Array.from({ length: 1000 }, () => m.slow(21)));
    expect(results.every((r) => r === 42)).toBe(true);
    expect(m.runs.n).toBe(1);
    await expect(m.failing()).rejects.toThrow('nope');
    await expect(m.failing()).rejects.toThrow('nope');
    expect(m.runs.fail).toBe(2);
  });

  it("'use cache: remote' uses the remote handler", async () => {
    const local = recordingHandler();
    const remote = recordingHandler();
    configureCache({ handlers: { default: local.handler, remote: remote.handler } });
    const m = await compile(`
      export async function shared(x) {
        'use cache: remote';
        return x;
      }
    `);
    await m.shared(1);
    await m.shared(1);
    expect(remote.calls).toMatchObject({ set: 1, get: 2 });
    expect(local.calls.set).toBe(0);
  });
});
