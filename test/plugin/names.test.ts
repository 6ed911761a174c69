// Generated names never clash with a name written anywhere in the file, nor with each other.
import { describe, expect, it } from 'vitest';
import { NameAllocator } from '../../src/plugin/names.js';

describe('NameAllocator', () => {
  it('hands out the base name when the file does not contain it', () => {
    const names = new NameAllocator('export const a = 1;');
    expect(names.take('$$cache_0')).toBe('$$cache_0');
    expect(names.take('cacheFunction')).toBe('cacheFunction');
    expect(names.local('$$c0')).toBe('$$c0');
  });

  it('skips names written in the file, in code, strings or comments', () => {
    const names = new NameAllocator('const $$cache_0 = 1; // cacheFunction\nconst s = "$$c0 $$c0$1";');
    expect(names.take('$$cache_0')).toBe('$$cache_0$1');
    expect(names.take('cacheFunction')).toBe('cacheFunction$1');
    expect(names.local('$$c0')).toBe('$$c0$2');
  });

  it('never hands out a module-level name twice, while locals may repeat across functions', () => {
    const names = new NameAllocator('');
    expect([names.take('f'), names.take('f'), names.take('f')]).toEqual(['f', 'f$1', 'f$2']);
    expect([names.local('$$c0'), names.local('$$c0')]).toEqual(['$$c0', '$$c0']);
  });

  it('answers the same after the first lookup of a name (the answers are remembered)', () => {
    const names = new NameAllocator('let serverReference;');
    expect(names.take('serverReference')).toBe('serverReference$1');
    expect(names.take('serverReference')).toBe('serverReference$2');
    expect(names.local('serverReference')).toBe('serverReference$1');
  });
});
