import { beforeEach, describe, expect, it } from 'vitest';
import { cacheFunction, configureCache, resetCache } from '../../src/runtime/index.js';
import { recordingHandler, uid } from './helpers.js';

beforeEach(() => resetCache());

describe('concurrency', () => {
  it('1,000 concurrent calls on a cold key share one execution', async () => {
    let runs = 0;
    const f = cacheFunction(uid(), 'default', async (id: number, opts: { deep: boolean }) => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { id, deep: opts.deep, list: [1, 2, 3] };
    });
    const results = await Promise.all(Array.from({ length: 1000 }, () => f(7, { deep: true })));
    expect(runs).toBe(1);
    expect(new Set(results).size).toBe(1000); // every caller has its own object
    for (const r of results) expect(r).toEqual({ id: 7, deep: true, list: [1, 2, 3] });
    results[0]!.list.push(4);
    expect(results[1]!.list).toEqual([1, 2, 3]);
  });

  it('1,000 concurrent calls share one execution with a slow asynchronous handler', async () => {
    const recorder = recordingHandler();
    const slow = {
      ...recorder.handler,
      async get(key: string) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
        return recorder.handler.get(key);
      },
    };
    configureCache({ handlers: { default: slow } });
    let runs = 0;
    const f = cacheFunction(uid(), 'default', async (x: string) => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return x;
    });
    const results = await Promise.all(Array.from({ length: 1000 }, () => f('k')));
    expect(runs).toBe(1);
    expect(results.every((r) => r === 'k')).toBe(true);
    expect(recorder.calls.set).toBe(1);
  });

  it('concurrent callers of a failing fill all get the error; nothing is stored; the next call runs again', async () => {
    let runs = 0;
    const error = new Error('shared failure');
    const f = cacheFunction(uid(), 'default', async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw error;
    });
    const results = await Promise.allSettled(Array.from({ length: 100 }, () => f()));
    expect(runs).toBe(1);
    expect(results.every((r) => r.status === 'rejected' && r.reason === error)).toBe(true);
    await expect(f()).rejects.toBe(error);
    expect(runs).toBe(2);
  });

  it('different keys fill in parallel', async () => {
    let active = 0;
    let peak = 0;
    const f = cacheFunction(uid(), 'default', async (x: number) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 10));
      active--;
      return x;
    });
    await Promise.all([1, 2, 3, 4].map((x) => f(x)));
    expect(peak).toBe(4);
  });
});

describe('recursion', () => {
  it('a cached function calling itself with the same arguments fails clearly instead of hanging', async () => {
    const f: (n: number) => Promise<number> = cacheFunction(uid(), 'default', async function loop(n: number) {
      return n === 0 ? 0 : f(n);
    });
    await expect(f(1)).rejects.toThrow(/"loop" called itself with the same arguments/);
  });

  it('recursion with other arguments is fine', async () => {
    let runs = 0;
    const fib: (n: number) => Promise<number> = cacheFunction(uid(), 'default', async function body(n: number) {
      runs++;
      return n < 2 ? n : (await fib(n - 1)) + (await fib(n - 2));
    });
    expect(await fib(20)).toBe(6765);
    expect(runs).toBe(21);
  });
});
