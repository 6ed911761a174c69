import { describe, expect, it, beforeEach } from 'vitest';
import { cacheFunction, resetCache } from '../../src/runtime/index.js';

describe('smoke', () => {
  beforeEach(() => resetCache());
  it('caches', async () => {
    let runs = 0;
    const f = cacheFunction('smoke-1', 'default', async (a: number, b: string) => {
      runs++;
      return { a, b, d: new Date(0), m: new Map([[1, 2]]) };
    });
    const r1 = await f(1, 'x');
    const r2 = await f(1, 'x');
    expect(runs).toBe(1);
    expect(r2).toEqual(r1);
    expect(r2).not.toBe(r1);
    await f(2, 'x');
    expect(runs).toBe(2);
  });
});
