// revalidateTag / updateTag never take the process down: invalid tags throw synchronously (a
// TypeError at the call, even without `await`), and handler faults go to the debug log, never
// into a rejection.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cacheFunction,
  cacheTag,
  configureCache,
  resetCache,
  revalidateTag,
  updateTag,
  type CacheHandler,
} from '../../src/runtime/index.js';
import { createMemoryHandler } from '../../src/runtime/handlers/memory.js';
import { compiledRuntime } from '../handlers/support/compile-handlers.js';
import { captureDebug, settle, uid } from './helpers.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeEach(() => {
  resetCache();
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});

const invalid: Array<[label: string, tag: unknown, message: RegExp]> = [
  ["''", '', /revalidateTag: a tag must not be empty/],
  ['300 characters', 'x'.repeat(300), /revalidateTag: tag "x{40}\.\.\." is 300 characters long; the limit is 256/],
  ['undefined', undefined, /revalidateTag: tags must be strings, got undefined/],
  ['a number in an array', ['ok', 7], /revalidateTag: tags must be strings, got number/],
];

describe('revalidateTag and updateTag with invalid tags', () => {
  for (const [label, tag, message] of invalid) {
    it(`${label}: a synchronous TypeError naming the problem, no rejection`, async () => {
      let result: unknown;
      expect(() => {
        result = revalidateTag(tag as string);
      }).toThrow(TypeError);
      expect(() => revalidateTag(tag as string)).toThrow(message);
      expect(result).toBeUndefined();
      expect(() => updateTag(tag as string)).toThrow(new RegExp(message.source.replace('revalidateTag', 'updateTag')));
      await settle();
      expect(unhandled).toEqual([]);
    });
  }

  it('an invalid tag changes nothing: the valid tags next to it are not revalidated either', async () => {
    let runs = 0;
    const f = cacheFunction(uid(), 'default', async () => {
      cacheTag('kept');
      return ++runs;
    });
    expect(await f()).toBe(1);
    expect(() => revalidateTag(['kept', ''])).toThrow(TypeError);
    expect(await f()).toBe(1);
  });
});

describe('revalidateTag and updateTag with failing handlers', () => {
  const faults: Array<[label: string, updateTags: CacheHandler['updateTags']]> = [
    [
      'throws synchronously',
      () => {
        throw new Error('boom (sync)');
      },
    ],
    ['rejects', () => Promise.reject(new Error('boom (async)'))],
    ['returns a non-promise', () => 'not a promise' as never],
  ];
  for (const [label, updateTags] of faults) {
    it(`a handler whose updateTags ${label}: resolves, logs, and this process still sees the invalidation`, async () => {
      const lines = captureDebug();
      const memory = createMemoryHandler();
      const handler: CacheHandler = {
        get: (key) => memory.get(key),
        set: (key, entry) => memory.set(key, entry),
        getTagTimes: (tags) => memory.getTagTimes(tags),
        updateTags,
      };
      configureCache({ handlers: { default: handler } });
      let runs = 0;
      const f = cacheFunction(uid(), 'default', async () => {
        cacheTag('faulty');
        return ++runs;
      });
      expect(await f()).toBe(1);
      // Not awaited, as Next.js code calls it.
      void revalidateTag('faulty');
      expect(await f()).toBe(2);
      await expect(updateTag('faulty')).resolves.toBeUndefined();
      expect(await f()).toBe(3);
      await settle();
      expect(unhandled).toEqual([]);
      expect(lines.some((line) => line.includes('handler-error') && line.includes('op=updateTags'))).toBe(true);
    });
  }

  it('a process calling it without await, with an invalid tag caught or a failing handler, keeps running', async () => {
    const dir = await compiledRuntime();
    const script = `
      const { revalidateTag, updateTag, configureCache } = await import(process.argv[1] + '/index.js');
      const memory = { get: async () => undefined, set: async () => {}, getTagTimes: async () => [],
        updateTags: async () => { throw new Error('store down'); } };
      configureCache({ handlers: { default: memory } });
      for (const tag of ['', 'x'.repeat(300), undefined]) {
        try { revalidateTag(tag); } catch (e) { if (!(e instanceof TypeError)) throw e; }
        try { updateTag(tag); } catch (e) { if (!(e instanceof TypeError)) throw e; }
      }
      revalidateTag('valid', 'max');
      updateTag('valid');
      await new Promise((r) => setTimeout(r, 50));
      console.log('still running');
    `;
    const run = await promisify(execFile)(
      process.execPath,
      ['--conditions', 'react-server', '--input-type=module', '-e', script, dir],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('still running');
  });
});
