// Inside a directive function its own name means the wrapped function: recursion goes through the
// cache at every level, for module-level, nested and file-level functions, with or without
// captured values (docs/compiler.md). Each case is compiled, imported under react-server with the
// real runtime, and its body executions are counted.
import { beforeEach, describe, expect, it } from 'vitest';
import { configureCache, resetCache } from '../../src/runtime/index.js';
import { compileApp } from '../support/compile-app.js';

beforeEach(() => {
  resetCache();
  configureCache({ encryptionKey: Buffer.alloc(32, 7).toString('base64') });
});

describe('named recursion goes through the cache', () => {
  it('a module-level function: every level is an entry, a deeper call computes only the new level', async () => {
    const { module } = await compileApp(
      {
        'countdown.jsx': `
          export const runs = { n: 0 };
          export async function countdown(n) {
            'use cache';
            runs.n++;
            return n <= 0 ? [] : [n, ...(await countdown(n - 1))];
          }
        `,
      },
      'countdown.jsx',
    );
    expect(await module.countdown(3)).toEqual([3, 2, 1]);
    expect(module.runs.n).toBe(4);
    expect(await module.countdown(5)).toEqual([5, 4, 3, 2, 1]);
    expect(module.runs.n).toBe(6); // 5 and 4 are new; 3 hit
    expect(await module.countdown(2)).toEqual([2, 1]);
    expect(module.runs.n).toBe(6);
  });

  it("a 'use cache' file: fib(20) runs its body 21 times, not 21,891", async () => {
    const { module, load } = await compileApp(
      {
        'math.jsx': `
          'use cache';
          import { runs } from './runs.mjs';
          export async function fib(n) {
            runs.fib++;
            return n < 2 ? n : (await fib(n - 1)) + (await fib(n - 2));
          }
          export const factorial = async function fact(n) {
            runs.fact++;
            return n <= 1 ? 1 : n * (await fact(n - 1));
          };
        `,
        'runs.mjs': 'export const runs = { fib: 0, fact: 0 };',
      },
      'math.jsx',
    );
    const { runs } = await load('runs.mjs');
    expect(await module.fib(20)).toBe(6765);
    expect(runs.fib).toBe(21);
    expect(await module.factorial(10)).toBe(3628800);
    expect(runs.fact).toBe(10);
    expect(await module.factorial(12)).toBe(479001600);
    expect(runs.fact).toBe(12);
  });

  it('nested functions, with and without captured values, and an action calling itself', async () => {
    const { module } = await compileApp(
      {
        'page.jsx': `
          export const runs = { walk: 0, climb: 0, node: 0, retry: 0 };
          export function Page({ token }) {
            async function walk(depth) {
              'use cache';
              runs.walk++;
              return depth === 0 ? 'leaf' : walk(depth - 1);
            }
            const climb = async (n) => {
              'use cache';
              runs.climb++;
              return n === 0 ? token : climb(n - 1);
            };
            const tree = async function node(n) {
              'use cache';
              runs.node++;
              return n === 0 ? 'root' : node(n - 1);
            };
            async function retry(times) {
              'use server';
              runs.retry++;
              return times === 0 ? token : retry(times - 1);
            }
            return { walk, climb, tree, retry };
          }
        `,
      },
      'page.jsx',
    );
    const { runs } = module;
    const a = module.Page({ token: 'a' });
    expect(await a.walk(3)).toBe('leaf');
    expect(await a.walk(4)).toBe('leaf');
    expect(runs.walk).toBe(5);
    expect(await a.climb(3)).toBe('a');
    expect(await a.climb(4)).toBe('a');
    expect(runs.climb).toBe(5);
    // Another render with the same captured value shares every level; another value has its own.
    expect(await module.Page({ token: 'a' }).climb(4)).toBe('a');
    expect(runs.climb).toBe(5);
    expect(await module.Page({ token: 'b' }).climb(2)).toBe('b');
    expect(runs.climb).toBe(8);
    expect(await a.tree(3)).toBe('root');
    expect(await a.tree(3)).toBe('root');
    expect(runs.node).toBe(4);
    // An action is never cached, but calls itself with its captured values.
    expect(await a.retry(2)).toBe('a');
    expect(runs.retry).toBe(3);
  });

  it('a function that captures values and calls itself (E016 before) compiles and hits at every level', async () => {
    const { module } = await compileApp(
      {
        'outer.jsx': `
          export const runs = { n: 0 };
          export function outer(base) {
            return async function fib(n) {
              'use cache';
              runs.n++;
              return n < 2 ? base * n : (await fib(n - 1)) + (await fib(n - 2));
            };
          }
        `,
      },
      'outer.jsx',
    );
    expect(await module.outer(1)(20)).toBe(6765);
    expect(module.runs.n).toBe(21);
    expect(await module.outer(2)(20)).toBe(13530);
    expect(module.runs.n).toBe(42);
  });
});
