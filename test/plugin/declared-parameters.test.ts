// Only the declared parameters of a cached function form its key, as in Next.js: extra arguments
// never fragment the cache (nor reach the body), a rest parameter takes every argument, defaults
// and patterns count. Compiled with the plugin, imported under react-server with the real runtime.
import { beforeEach, describe, expect, it } from 'vitest';
import { cacheFunction, resetCache } from '../../src/runtime/index.js';
import { compileApp } from '../support/compile-app.js';

beforeEach(() => resetCache());

const source = `
  'use cache';
  export const runs = { two: 0, rest: 0, defaults: 0, inline: 0 };
  export async function two(a, b) {
    runs.two++;
    return [a, b];
  }
  export async function rest(first, ...more) {
    runs.rest++;
    return [first, more];
  }
  export const defaults = async (a, b = 1, { c } = {}) => {
    runs.defaults++;
    return [a, b, c];
  };
`;

describe('only declared parameters form the key', () => {
  it('extra arguments hit the entry of the declared ones and do not reach the body', async () => {
    const { module } = await compileApp({ 'data.jsx': source }, 'data.jsx');
    expect(await module.two('a', 1)).toEqual(['a', 1]);
    expect(await module.two('a', 1, 'extra')).toEqual(['a', 1]);
    expect(await module.two('a', 1, { request: 'object' }, 3)).toEqual(['a', 1]);
    expect(module.runs.two).toBe(1);
    expect(await module.two('a', 2, 'extra')).toEqual(['a', 2]);
    expect(module.runs.two).toBe(2);
  });

  it('a rest parameter takes every argument', async () => {
    const { module } = await compileApp({ 'data.jsx': source }, 'data.jsx');
    expect(await module.rest('a', 'b')).toEqual(['a', ['b']]);
    expect(await module.rest('a', 'b', 'c')).toEqual(['a', ['b', 'c']]);
    expect(await module.rest('a', 'b')).toEqual(['a', ['b']]);
    expect(module.runs.rest).toBe(2);
  });

  it('defaults and destructured parameters count (fn.length would stop at the first default)', async () => {
    const { module } = await compileApp({ 'data.jsx': source }, 'data.jsx');
    expect(module.defaults.length).toBe(1); // what `fn.length` says: too few
    expect(await module.defaults('a', 2, { c: 'x' })).toEqual(['a', 2, 'x']);
    expect(await module.defaults('a', 2, { c: 'y' })).toEqual(['a', 2, 'y']);
    expect(await module.defaults('a', 2, { c: 'y' }, 'extra')).toEqual(['a', 2, 'y']);
    expect(module.runs.defaults).toBe(2);
  });

  it('an inline function with captured values keys on them and its declared parameters', async () => {
    const { module } = await compileApp(
      {
        'page.jsx': `
          export const runs = { n: 0 };
          export function loaderFor(prefix) {
            return async (id) => {
              'use cache';
              runs.n++;
              return prefix + id;
            };
          }
        `,
      },
      'page.jsx',
    );
    const load = module.loaderFor('user-');
    expect(await load(1)).toBe('user-1');
    expect(await load(1, 'extra')).toBe('user-1');
    expect(await module.loaderFor('user-')(1, 'other')).toBe('user-1');
    expect(module.runs.n).toBe(1);
    expect(await module.loaderFor('team-')(1)).toBe('team-1');
    expect(module.runs.n).toBe(2);
  });
});

describe('cacheFunction without the params option (code compiled before it existed)', () => {
  it('keys on every argument', async () => {
    let runs = 0;
    const f = cacheFunction('old-compiled', 'default', async (a: number) => {
      runs++;
      return a;
    });
    await f(1);
    await (f as (...args: unknown[]) => Promise<unknown>)(1, 'extra');
    expect(runs).toBe(2);
  });

  it('rejects a params option that is not a whole number', () => {
    expect(() => cacheFunction('bad', 'default', async () => 1, { params: -1 })).toThrow(
      /options.params must be a whole number/,
    );
    expect(() => cacheFunction('bad', 'default', async () => 1, 'two' as never)).toThrow(/options must be an object/);
  });
});
